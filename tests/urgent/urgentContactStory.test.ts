// The whole story over real HTTP: an investigator in Ukraine opens an urgent contact to a colleague in Poland on
// threat_to_life, signs it with a passkey, messages flow at once, both NCBs are notified (SMTP and a signed webhook),
// one acknowledges, the other escalates, the formal request is submitted, and another one goes overdue.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextContent } from '../../clients/sdk/crypto';
import { logEntries } from '../../src/audit-log/tables';
import type { manualClock } from '../../src/clock';
import { urgentContacts } from '../../src/contact-record/tables';
import { nodeOutboxTransports } from '../../src/runtime/node/smtpMailer';
import { runDueWork } from '../../src/scheduler/runDueWork';
import { verifyJustificationSignature } from '../../src/urgent/verifyJustification';
import { newDevice } from '../support/devices';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { startSmtpSink, startWebhookSink } from '../support/sinks';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

let server: TestServer;
let clock: ReturnType<typeof manualClock>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let hooks: Awaited<ReturnType<typeof startWebhookSink>>;
let admin: Person, anna: Person, piotr: Person, ncbUa: Person, ncbPl: Person;
let contact: { id: string; conversationId: string; formalRequestId: string; notificationIds: string[] };

const MINUTE = 60_000;
const tick = () => runDueWork(server.services, nodeOutboxTransports(server.services.config));
const logged = async (type: string) =>
  (await server.services.database.db.select().from(logEntries).where(eq(logEntries.type, type))).map((e) => JSON.parse(e.data) as Record<string, any>);

beforeAll(async () => {
  smtp = await startSmtpSink();
  hooks = await startWebhookSink();
  server = await startTestServer({
    manualTime: true,
    // Long sessions: this story spans weeks of manual-clock time.
    env: { EXIGENT_SMTP_URL: smtp.url, EXIGENT_SESSION_IDLE_MINUTES: '1000000', EXIGENT_SESSION_MAX_HOURS: '720', EXIGENT_NCB_ESCALATION_MINUTES: '15' },
  });
  clock = server.services.clock as ReturnType<typeof manualClock>;
  admin = await enrolFirstAdmin(server);
  const { agencies } = await seedDirectory(admin);
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  ncbUa = await invite(admin, { email: 'officer@ncb.ua', displayName: 'NCB officer UA', role: 'ncb_officer', agencyId: agencies.ncbA });
  ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB officer PL', role: 'ncb_officer', agencyId: agencies.ncbB });
  await invite(admin, { email: 'audit@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
  const webhook = await admin.client.post('/api/v1/webhooks', { agencyId: agencies.ncbB, url: hooks.url });
  expect(webhook.status, webhook.text).toBe(201);
  hooks.useSecret(webhook.body.secret);
});
afterAll(async () => {
  await server.stop();
  await smtp.close();
  await hooks.close();
});

describe('opening an urgent contact', () => {
  it('signs the justification with a passkey and writes contact, conversation, notifications and formal request at once', async () => {
    const res = await openContact(anna, draftFor(piotr));
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('server-timing')).toMatch(/^write;dur=\d+\.\d+;desc="atomic write", commit;dur=\d+\.\d+;/);
    contact = res.body;
    expect(contact.notificationIds).toHaveLength(2);

    const detail = await anna.client.get(`/api/v1/urgent-contacts/${contact.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: 'open', grounds: ['threat_to_life'], requestingCountry: 'UA', requestedCountry: 'PL', handlingCode: 'H1' });
    expect(detail.body.formalRequest).toMatchObject({ state: 'pending', instrument: 'mla_bilateral_untoc' });
    expect(detail.body.formalRequest.deadlineAt - clock.now()).toBe(14 * 24 * 60 * MINUTE);
    expect((await piotr.client.get(`/api/v1/urgent-contacts/${contact.id}`)).status).toBe(200);

    // The justification log entry holds the whole signed record; the stored assertion re-verifies offline.
    const [opened] = await logged('urgent_contact.opened');
    expect(opened!.subject).toMatchObject({ urgentContactId: contact.id, conversationId: contact.conversationId });
    expect(opened!.details.justification).toMatchObject({ grounds: ['threat_to_life'], caseReference: 'UA-2026-0042' });
    expect(await logged('ncb.notified')).toHaveLength(2);
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

describe('mandatory NCB notification', () => {
  it('e-mails both duty addresses and sends a signed webhook to the Polish NCB', async () => {
    const report = await tick();
    expect(report.outbox.delivered).toBe(3);
    expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(['duty-pl@ncb.test', 'duty-ua@ncb.test']);
    expect(smtp.mails[0]!.raw).toContain('threat to the life or health');
    expect(hooks.hooks).toHaveLength(1);
    expect(hooks.hooks[0]).toMatchObject({ verified: true, body: { type: 'urgent_contact.opened', data: { urgentContactId: contact.id, side: 'requested' } } });
  });

  it('shows the notification in each NCB inbox; NCB UA acknowledges, NCB PL does not and is escalated twice', async () => {
    const inboxUa = await ncbUa.client.get('/api/v1/ncb/notifications');
    expect(inboxUa.body.unacknowledged).toBe(1);
    expect(inboxUa.body.notifications[0]).toMatchObject({ urgentContactId: contact.id, side: 'requesting', grounds: ['threat_to_life'], requesterName: 'Anna', counterparts: ['Piotr'] });
    const ack = await ncbUa.client.post(`/api/v1/ncb/notifications/${inboxUa.body.notifications[0].id}/acknowledge`);
    expect(ack.status, ack.text).toBe(200);
    expect((await ncbUa.client.get('/api/v1/ncb/notifications')).body.unacknowledged).toBe(0);
    // NCB UA cannot act on the Polish NCB's notification.
    const plId = (await ncbPl.client.get('/api/v1/ncb/notifications')).body.notifications[0].id;
    expect((await ncbUa.client.post(`/api/v1/ncb/notifications/${plId}/acknowledge`)).status).toBe(404);

    smtp.mails.length = 0;
    clock.advance(14 * MINUTE);
    expect((await tick()).escalated).toBe(0);
    clock.advance(2 * MINUTE);
    expect((await tick()).escalated).toBe(1);
    // Every officer of NCB PL and every administrator is alerted.
    expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(['admin@exigent.test', 'officer@ncb.pl']);
    expect((await tick()).escalated).toBe(0);
    clock.advance(15 * MINUTE);
    expect((await tick()).escalated).toBe(1);
    clock.advance(60 * MINUTE);
    expect((await tick()).escalated).toBe(0);
    expect((await logged('ncb.escalated')).map((e) => e.details.level)).toEqual([1, 2]);
    expect((await logged('ncb.acknowledged')).map((e) => e.subject.agencyId)).toHaveLength(1);
    const inboxPl = await ncbPl.client.get('/api/v1/ncb/notifications');
    expect(inboxPl.body.notifications[0]).toMatchObject({ escalationLevel: 2, acknowledgedAt: null });
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
    const pdf = await fetch(`${server.url}${path}/document`, { headers: anna.client.socketHeaders() });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('reminds at 50 % and 90 %, then flags an unsubmitted request overdue to both NCBs and compliance', async () => {
    const second = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0043', legalInstrument: 'eu_eevidence_emergency', grounds: ['loss_of_evidence'] }));
    expect(second.status, second.text).toBe(201);
    await tick();
    smtp.mails.length = 0;
    clock.advance(4 * 60 * MINUTE + MINUTE);
    expect((await tick()).reminders).toBe(1);
    clock.advance(3 * 60 * MINUTE + 15 * MINUTE);
    expect((await tick()).reminders).toBe(1);
    expect(smtp.mails.filter((m) => m.to.includes('anna@police.ua')).map((m) => /(\d+) % of the time/.exec(m.raw)?.[1])).toEqual(['50', '90']);
    smtp.mails.length = 0;
    clock.advance(60 * MINUTE);
    const report = await tick();
    expect(report.overdue).toBe(1);
    expect(smtp.mails.flatMap((m) => m.to).filter((to) => !to.startsWith('officer') && to !== 'admin@exigent.test').sort()).toEqual(
      ['audit@oversight.ua', 'duty-pl@ncb.test', 'duty-ua@ncb.test'],
    );
    expect((await tick()).overdue).toBe(0);
    const overdue = await ncbPl.client.get('/api/v1/formal-requests?overdue=true');
    expect(overdue.body.requests.map((r: { id: string }) => r.id)).toEqual([second.body.formalRequestId]);
    expect(await logged('formal_request.overdue')).toHaveLength(1);
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
    const res = await fetch(`${server.url}/api/v1/ncb/stream`, { headers: ncbPl.client.socketHeaders(), signal: abort.signal });
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
    await until(/event: ready\ndata: \{"unacknowledged":\d+\}/);
    const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0044' }));
    expect(opened.status).toBe(201);
    await until(/event: notification/);
    expect(text).toContain(`"urgentContactId":"${opened.body.id}"`);
    abort.abort();
  });
});
