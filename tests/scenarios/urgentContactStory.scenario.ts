// The urgent-contact story over HTTP: an investigator in Ukraine opens an urgent contact to a colleague in Poland on
// threat_to_life, signing it with a passkey; contact, justification leaf, both NCBs' notifications and the formal
// request are written at once; messages flow at once; each NCB sees and acknowledges only its own notification, live
// over server-sent events too; the formal request moves through its states; an NCB closes the contact. A scenario: it
// runs on Node (tests/urgent/urgentContactStory.test.ts, which adds mail, webhooks and deadlines on a manual clock) and
// in workerd (tests/worker/urgentContactStory.test.ts).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextContent } from '../../clients/sdk/crypto';
import { logEntries } from '../../src/audit-log/tables';
import { urgentContacts } from '../../src/contact-record/tables';
import { verifyJustificationSignature } from '../../src/urgent/verifyJustification';
import { ApiClient, TEST_ORIGIN } from '../support/apiClient';
import { newDevice } from '../support/devices';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

const DAY = 24 * 60 * 60_000;

export function urgentContactStoryScenario(start: StartHarness) {
  describe('the urgent-contact story', () => {
    let server: Harness;
    let admin: Person, anna: Person, piotr: Person, ncbUa: Person, ncbPl: Person;
    let agencies: Directory['agencies'];
    let contact: { id: string; conversationId: string; formalRequestId: string; notificationIds: string[] };

    const logged = async (type: string) =>
      (await server.services.database.db.select().from(logEntries).where(eq(logEntries.type, type))).map((e) => JSON.parse(e.data) as Record<string, any>);

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      ({ agencies } = await seedDirectory(admin));
      anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
      ncbUa = await invite(admin, { email: 'officer@ncb.ua', displayName: 'NCB officer UA', role: 'ncb_officer', agencyId: agencies.ncbA });
      ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB officer PL', role: 'ncb_officer', agencyId: agencies.ncbB });
    });
    afterAll(async () => server.stop());

    describe('opening an urgent contact', () => {
      it('signs the justification with a passkey and writes contact, conversation, notifications and formal request at once', async () => {
        const before = Date.now();
        const res = await openContact(anna, draftFor(piotr));
        const after = Date.now();
        expect(res.status, res.text).toBe(201);
        expect(res.headers.get('server-timing')).toMatch(/^write;dur=\d+\.\d+;desc="atomic write", commit;dur=\d+\.\d+;/);
        contact = res.body;
        expect(contact.notificationIds).toHaveLength(2);

        const detail = await anna.client.get(`/api/v1/urgent-contacts/${contact.id}`);
        expect(detail.status).toBe(200);
        expect(detail.body).toMatchObject({ status: 'open', grounds: ['threat_to_life'], requestingCountry: 'UA', requestedCountry: 'PL', handlingCode: 'H1' });
        expect(detail.body.formalRequest).toMatchObject({ state: 'pending', instrument: 'mla_bilateral_untoc' });
        // Opened during the request, and the formal request is due 14 days after that.
        expect(detail.body.openedAt).toBeGreaterThanOrEqual(before);
        expect(detail.body.openedAt).toBeLessThanOrEqual(after);
        expect(detail.body.formalRequest.deadlineAt - detail.body.openedAt).toBe(14 * DAY);
        expect((await piotr.client.get(`/api/v1/urgent-contacts/${contact.id}`)).status).toBe(200);

        // The justification log entry holds the whole signed record; the stored assertion re-verifies offline.
        const [opened] = await logged('urgent_contact.opened');
        expect(opened!.subject).toMatchObject({ urgentContactId: contact.id, conversationId: contact.conversationId });
        expect(opened!.details.justification).toMatchObject({ grounds: ['threat_to_life'], caseReference: 'UA-2026-0042' });
        const notified = await logged('ncb.notified');
        expect(notified).toHaveLength(2);
        expect(notified.map((e) => e.subject.agencyId).sort()).toEqual([agencies.ncbA, agencies.ncbB].sort());
        const [row] = await server.services.database.db.select().from(urgentContacts).where(eq(urgentContacts.id, contact.id));
        expect(await verifyJustificationSignature(row!, { origin: TEST_ORIGIN, rpId: 'localhost' })).toEqual({ valid: true });
        expect(await verifyJustificationSignature({ ...row!, justification: row!.justification.replace('kidnapped', 'missing') }, { origin: TEST_ORIGIN, rpId: 'localhost' })).toMatchObject({ valid: false });
      });

      it('lets messages flow at once, without waiting for the NCBs', async () => {
        const a = await newDevice(anna, 'Anna desk');
        const p = await newDevice(piotr, 'Piotr desk');
        await a.sendText(contact.conversationId, 'He is at the bus station, platform 4.');
        const { messages } = await p.sync();
        expect(messages.map((m) => (m.content as TextContent).text)).toEqual(['He is at the bus station, platform 4.']);
      });

      it('the counterpart acknowledges the handling code', async () => {
        const res = await piotr.client.post(`/api/v1/urgent-contacts/${contact.id}/handling-acknowledgement`);
        expect(res.status, res.text).toBe(200);
        const detail = await anna.client.get(`/api/v1/urgent-contacts/${contact.id}`);
        expect(detail.body.counterparts[0].handlingAcknowledgedAt).toBe(res.body.handlingAcknowledgedAt);
        expect(await logged('urgent_contact.handling_acknowledged')).toHaveLength(1);
      });
    });

    describe('NCB notification and acknowledgement', () => {
      it('shows the notification in each NCB inbox; NCB UA acknowledges its own and cannot touch the Polish one', async () => {
        const inboxUa = await ncbUa.client.get('/api/v1/ncb/notifications');
        expect(inboxUa.body.unacknowledged).toBe(1);
        expect(inboxUa.body.notifications[0]).toMatchObject({ urgentContactId: contact.id, side: 'requesting', grounds: ['threat_to_life'], requesterName: 'Anna', counterparts: ['Piotr'] });
        const inboxPl = await ncbPl.client.get('/api/v1/ncb/notifications');
        expect(inboxPl.body.unacknowledged).toBe(1);
        expect(inboxPl.body.notifications[0]).toMatchObject({ urgentContactId: contact.id, side: 'requested', acknowledgedAt: null });

        const ack = await ncbUa.client.post(`/api/v1/ncb/notifications/${inboxUa.body.notifications[0].id}/acknowledge`);
        expect(ack.status, ack.text).toBe(200);
        expect((await ncbUa.client.get('/api/v1/ncb/notifications')).body.unacknowledged).toBe(0);
        // NCB UA cannot act on the Polish NCB's notification.
        const plId = inboxPl.body.notifications[0].id;
        expect((await ncbUa.client.post(`/api/v1/ncb/notifications/${plId}/acknowledge`)).status).toBe(404);
        expect((await ncbPl.client.get('/api/v1/ncb/notifications')).body.unacknowledged).toBe(1);
        expect((await logged('ncb.acknowledged')).map((e) => e.subject.agencyId)).toEqual([agencies.ncbA]);
      });
    });

    describe('follow-up formal request', () => {
      it('goes pending → drafted → submitted, refusing skipped steps and the wrong role', async () => {
        const path = `/api/v1/formal-requests/${contact.formalRequestId}`;
        expect((await anna.client.post(`${path}/transitions`, { to: 'submitted', channel: 'central_authority', channelReference: 'X' })).status).toBe(409);
        expect((await ncbPl.client.post(`${path}/transitions`, { to: 'drafted' })).status).toBe(403);
        expect((await anna.client.post(`${path}/transitions`, { to: 'drafted' })).status).toBe(200);
        const missing = await anna.client.post(`${path}/transitions`, { to: 'submitted', channel: 'fax' });
        expect(missing.status).toBe(422);
        expect(missing.body.errors[0].field).toBe('channel');
        const submitted = await anna.client.post(`${path}/transitions`, { to: 'submitted', channel: 'central_authority', channelReference: 'MoJ-UA/2026/117' });
        expect(submitted.status, submitted.text).toBe(200);
        expect(submitted.body).toMatchObject({ state: 'submitted', channel: 'central_authority', channelReference: 'MoJ-UA/2026/117', overdue: false });
        expect((await anna.client.post(`${path}/transitions`, { to: 'drafted' })).status).toBe(409);
        expect((await ncbPl.client.post(`${path}/transitions`, { to: 'acknowledged' })).status).toBe(200);
        expect((await logged('formal_request.state_changed')).map((e) => e.details.to)).toEqual(['pending', 'drafted', 'submitted', 'acknowledged']);

        const json = await anna.client.get(`${path}/document?format=json`);
        expect(json.body).toMatchObject({ kind: 'exigent/formal-request/v1', draft: { caseReference: 'UA-2026-0042', requestingState: 'UA', requestedState: 'PL' } });
        const pdf = await ApiClient.transport.fetch(`${server.url}${path}/document`, { headers: anna.client.socketHeaders() });
        expect(pdf.headers.get('content-type')).toBe('application/pdf');
        expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).subarray(0, 5))).toBe('%PDF-');
      });
    });

    describe('closing', () => {
      it('an NCB officer closes the contact; its conversation becomes read-only', async () => {
        const closed = await ncbPl.client.post(`/api/v1/urgent-contacts/${contact.id}/close`, { reason: 'Child found safe; formal request submitted.' });
        expect(closed.status, closed.text).toBe(200);
        expect((await ncbPl.client.post(`/api/v1/urgent-contacts/${contact.id}/close`, { reason: 'again please' })).status).toBe(409);
        const a = await newDevice(anna, 'Anna laptop');
        await expect(a.sendText(contact.conversationId, 'one more thing')).rejects.toMatchObject({ status: 409 });
        expect((await logged('urgent_contact.closed'))[0]).toMatchObject({ actor: { role: 'ncb_officer' }, details: { reason: 'Child found safe; formal request submitted.' } });
      });
    });

    describe('live NCB inbox', () => {
      it('pushes a new notification to a connected NCB officer over server-sent events', async () => {
        const abort = new AbortController();
        const res = await ApiClient.transport.fetch(`${server.url}/api/v1/ncb/stream`, { headers: ncbPl.client.socketHeaders(), signal: abort.signal });
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = '';
        const until = async (pattern: RegExp) => {
          while (!pattern.test(text)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`stream ended before ${pattern}`);
            text += value;
          }
        };
        try {
          await until(/event: ready\ndata: \{"unacknowledged":\d+\}/);
          const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0044' }));
          expect(opened.status).toBe(201);
          await until(/event: notification/);
          expect(text).toContain(`"urgentContactId":"${opened.body.id}"`);
        } finally {
          await reader.cancel();
          abort.abort();
        }
      });
    });
  });
}
