// The urgent-contact story on Node: the scenario shared with workerd (tests/scenarios/urgentContactStory.scenario.ts),
// plus what reaches the outside world and what time does: both NCBs are notified by SMTP and a signed webhook, the one
// that does not acknowledge is escalated, and an unsubmitted formal request is reminded about and goes overdue.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEntries } from '../../src/audit-log/tables';
import type { manualClock } from '../../src/clock';
import { nodeOutboxTransports } from '../../src/runtime/node/smtpMailer';
import { runDueWork } from '../../src/scheduler/runDueWork';
import { urgentContactStoryScenario } from '../scenarios/urgentContactStory.scenario';
import { startNodeHarness } from '../support/nodeHarness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { startSmtpSink, startWebhookSink } from '../support/sinks';
import { startTestServer, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

urgentContactStoryScenario(startNodeHarness);

// Node-only: mail and webhooks go to sinks on loopback, and weeks pass on the server's manual clock, which a Worker
// (system time, no reachable loopback listener) cannot be given.
describe('NCB notification delivery, escalation and deadlines (SMTP and webhook sinks, manual clock)', () => {
  let server: TestServer;
  let clock: ReturnType<typeof manualClock>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let hooks: Awaited<ReturnType<typeof startWebhookSink>>;
  let anna: Person, piotr: Person, ncbUa: Person, ncbPl: Person;
  let contact: { id: string };

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
    const admin = await enrolFirstAdmin(server);
    const { agencies } = await seedDirectory(admin);
    anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
    piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
    ncbUa = await invite(admin, { email: 'officer@ncb.ua', displayName: 'NCB officer UA', role: 'ncb_officer', agencyId: agencies.ncbA });
    ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB officer PL', role: 'ncb_officer', agencyId: agencies.ncbB });
    await invite(admin, { email: 'audit@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
    const webhook = await admin.client.post('/api/v1/webhooks', { agencyId: agencies.ncbB, url: hooks.url });
    expect(webhook.status, webhook.text).toBe(201);
    hooks.useSecret(webhook.body.secret);
    const opened = await openContact(anna, draftFor(piotr));
    expect(opened.status, opened.text).toBe(201);
    contact = opened.body;
  });
  afterAll(async () => {
    await server.stop();
    await smtp.close();
    await hooks.close();
  });

  it('e-mails both duty addresses and sends a signed webhook to the Polish NCB', async () => {
    const report = await tick();
    expect(report.outbox.delivered).toBe(3);
    expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(['duty-pl@ncb.test', 'duty-ua@ncb.test']);
    expect(smtp.mails[0]!.raw).toContain('threat to the life or health');
    expect(hooks.hooks).toHaveLength(1);
    expect(hooks.hooks[0]).toMatchObject({ verified: true, body: { type: 'urgent_contact.opened', data: { urgentContactId: contact.id, side: 'requested' } } });
  });

  it('escalates NCB PL, which does not acknowledge, twice, alerting its officers and the administrators; NCB UA acknowledged', async () => {
    const inboxUa = await ncbUa.client.get('/api/v1/ncb/notifications');
    const ack = await ncbUa.client.post(`/api/v1/ncb/notifications/${inboxUa.body.notifications[0].id}/acknowledge`);
    expect(ack.status, ack.text).toBe(200);

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
