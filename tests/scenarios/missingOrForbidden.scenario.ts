// An object the caller may not see answers exactly as one that does not exist — same status, same detail but for the
// id asked for, nothing else named — so ids cannot be probed (issue 17). For every lookup by id a signed-in outsider
// can reach: attachments, conversations, messages' receipts, devices, passkeys, urgent contacts and their reviews and
// answers, formal requests and NCB notifications. A scenario: tests/http/missingOrForbidden.test.ts (Node) and
// tests/worker/missingOrForbidden.test.ts (workerd).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/apiClient';
import { newDevice } from '../support/devices';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

/** A well-formed envelope (its signature checked only after membership) addressed to conversation `id`. */
const envelopeTo = (id: string) => ({
  v: 1,
  conversationId: id,
  messageId: 'A'.repeat(22),
  senderDeviceId: 'some-device',
  sentAt: Date.now(),
  nonce: 'A'.repeat(32),
  ciphertext: 'AAAA',
  keys: [{ deviceId: 'some-device', wrapped: 'A'.repeat(64) }],
  signature: 'A'.repeat(86),
});

interface Probe {
  what: string;
  who: () => ApiClient;
  method: string;
  path: (id: string) => string;
  existing: () => string;
  body?: unknown | ((id: string) => unknown);
  raw?: boolean;
}

export function missingOrForbiddenScenario(start: StartHarness) {
  describe('a forbidden object answers as a missing one', () => {
    let server: Harness;
    let anna: Person, piotr: Person, ivan: Person, ncbPl: Person;
    const known: Record<'contact' | 'conversation' | 'formalRequest' | 'attachment' | 'message' | 'device' | 'passkey' | 'uaNotification', string> = {} as never;

    beforeAll(async () => {
      server = await start();
      const admin = await enrolFirstAdmin(server);
      const { agencies } = await seedDirectory(admin);
      anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
      // Ivan is an investigator of the same force as Anna, but takes no part in her contact.
      ivan = await invite(admin, { email: 'ivan@police.ua', displayName: 'Ivan', role: 'investigator', agencyId: agencies.policeA });
      ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB officer PL', role: 'ncb_officer', agencyId: agencies.ncbB });
      const opened = await openContact(anna, draftFor(piotr));
      expect(opened.status, opened.text).toBe(201);
      const a = await newDevice(anna, 'Anna desk');
      await newDevice(piotr, 'Piotr desk');
      const ref = await a.uploadAttachment(opened.body.conversationId, { data: new TextEncoder().encode('a photo of the van'), name: 'van.jpg', mediaType: 'image/jpeg' });
      const sent = await a.sendText(opened.body.conversationId, 'The van is blue.', [ref]);
      Object.assign(known, {
        contact: opened.body.id,
        conversation: opened.body.conversationId,
        formalRequest: opened.body.formalRequestId,
        attachment: ref.blobId,
        message: sent.messageId,
        device: a.device.deviceId,
        passkey: (await anna.client.get('/api/v1/me/passkeys')).body[0].id,
        // The notification of the requesting side goes to NCB Kyiv, not to NCB Warsaw.
        uaNotification: (await anna.client.get(`/api/v1/urgent-contacts/${opened.body.id}`)).body.notifications.find((n: { side: string }) => n.side === 'requesting').id,
      });
    });
    afterAll(async () => server.stop());

    const outsider = () => ivan.client;
    const PROBES: Probe[] = [
      { what: 'an attachment', who: outsider, method: 'GET', path: (id) => `/api/v1/attachments/${id}`, existing: () => known.attachment },
      { what: 'an upload to a conversation', who: outsider, method: 'POST', path: (id) => `/api/v1/conversations/${id}/attachments`, existing: () => known.conversation, raw: true },
      { what: 'a message to a conversation', who: outsider, method: 'POST', path: (id) => `/api/v1/conversations/${id}/messages`, existing: () => known.conversation, body: envelopeTo },
      { what: 'a conversation', who: outsider, method: 'GET', path: (id) => `/api/v1/conversations/${id}`, existing: () => known.conversation },
      { what: "a message's receipts (outsider)", who: outsider, method: 'GET', path: (id) => `/api/v1/messages/${id}/receipts`, existing: () => known.message },
      { what: "a message's receipts (a member who did not send it)", who: () => piotr.client, method: 'GET', path: (id) => `/api/v1/messages/${id}/receipts`, existing: () => known.message },
      { what: "another user's device queue", who: outsider, method: 'GET', path: (id) => `/api/v1/devices/${id}/queue`, existing: () => known.device },
      { what: "revoking another user's device", who: outsider, method: 'DELETE', path: (id) => `/api/v1/devices/${id}`, existing: () => known.device },
      { what: "renaming another user's passkey", who: outsider, method: 'PATCH', path: (id) => `/api/v1/me/passkeys/${id}`, existing: () => known.passkey, body: { name: 'mine now' } },
      { what: "revoking another user's passkey", who: outsider, method: 'DELETE', path: (id) => `/api/v1/me/passkeys/${id}`, existing: () => known.passkey },
      { what: 'an urgent contact', who: outsider, method: 'GET', path: (id) => `/api/v1/urgent-contacts/${id}`, existing: () => known.contact },
      { what: "an urgent contact's handling acknowledgement", who: outsider, method: 'POST', path: (id) => `/api/v1/urgent-contacts/${id}/handling-acknowledgement`, existing: () => known.contact },
      { what: 'closing an urgent contact', who: outsider, method: 'POST', path: (id) => `/api/v1/urgent-contacts/${id}/close`, existing: () => known.contact, body: { reason: 'not mine to close' } },
      { what: "an urgent contact's reviews", who: outsider, method: 'GET', path: (id) => `/api/v1/urgent-contacts/${id}/reviews`, existing: () => known.contact },
      { what: "answering compliance on someone else's contact", who: outsider, method: 'POST', path: (id) => `/api/v1/urgent-contacts/${id}/answers`, existing: () => known.contact, body: { answer: 'He left at dawn.' } },
      { what: 'a formal request', who: outsider, method: 'GET', path: (id) => `/api/v1/formal-requests/${id}`, existing: () => known.formalRequest },
      { what: "a formal request's document", who: outsider, method: 'GET', path: (id) => `/api/v1/formal-requests/${id}/document?format=json`, existing: () => known.formalRequest },
      { what: 'editing a formal request', who: outsider, method: 'PATCH', path: (id) => `/api/v1/formal-requests/${id}`, existing: () => known.formalRequest, body: { draft: { facts: 'rewritten' } } },
      { what: 'moving a formal request', who: outsider, method: 'POST', path: (id) => `/api/v1/formal-requests/${id}/transitions`, existing: () => known.formalRequest, body: { to: 'drafted' } },
      { what: "another NCB's notification", who: () => ncbPl.client, method: 'POST', path: (id) => `/api/v1/ncb/notifications/${id}/acknowledge`, existing: () => known.uaNotification },
    ];

    async function ask(probe: Probe, id: string) {
      const init = probe.raw ? { rawBody: 'x'.repeat(64), headers: { 'content-type': 'application/octet-stream' } } : {};
      const body = typeof probe.body === 'function' ? probe.body(id) : probe.body;
      const res = await probe.who().request(probe.method, probe.path(id), body, init);
      // The detail may repeat the id that was asked for, and nothing else about the object.
      return { status: res.status, body: { ...res.body, requestId: undefined, detail: String(res.body?.detail).replaceAll(id, '<id>') } };
    }

    it.each(PROBES.map((p) => [p.what, p] as const))('%s', async (_, probe) => {
      const forbidden = await ask(probe, probe.existing());
      const missing = await ask(probe, crypto.randomUUID());
      expect(forbidden.status).toBe(404);
      expect(forbidden).toEqual(missing);
      for (const other of Object.values(known)) expect(forbidden.body.detail).not.toContain(other);
    });

    it('still lets the people concerned reach them', async () => {
      expect((await piotr.client.get(`/api/v1/urgent-contacts/${known.contact}/reviews`)).status).toBe(200);
      expect((await anna.client.get(`/api/v1/messages/${known.message}/receipts`)).status).toBe(200);
      const bytes = await anna.client.request('GET', `/api/v1/attachments/${known.attachment}`);
      expect(bytes.status).toBe(200);
      // A counterpart may see the contact, so being refused the answer is a 403 that says why.
      const answer = await piotr.client.post(`/api/v1/urgent-contacts/${known.contact}/answers`, { answer: 'I am only the counterpart.' });
      expect(answer.status).toBe(403);
    });
  });
}
