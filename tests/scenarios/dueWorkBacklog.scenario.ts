// The scheduler with a backlog, on both runtimes (Node: tests/scheduler/dueWorkBacklog.test.ts, workerd:
// tests/worker/dueWorkBacklog.test.ts): every due escalation and deadline alert fires however many rows wait, in pages,
// oldest-due first; a tick that reaches its budget leaves the rest to the next tick, which starts where it stopped;
// and one row that cannot be written does not hold up the others. Hundreds of contacts cannot be opened through
// passkey ceremonies in a test, so the backlog is cloned from one real contact with plain SQL.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

const BULK = 505;
const ESCALATIONS = 150;
const MINUTE = 60_000;
const DAY = 86_400_000;
const CONTACT_COLUMNS =
  'requester_user_id, requester_agency_id, requesting_country, requested_country, grounds, narrative, case_reference, offence_category, sought_information, handling_code, handling_conditions, legal_instrument, status, conversation_id, justification, justification_hash, credential_id, authenticator_data, client_data_json, signature, credential_public_key, opened_at';
/** 1 … n, as rows, for cloning in one statement. */
const numbers = (n: number) => `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})`;
const bulkId = (prefix: string, i: number) => `${prefix}-${String(i).padStart(4, '0')}`;

export function dueWorkBacklogScenario(start: StartHarness) {
  let server: Harness;
  let anna: Person, piotr: Person, officerPl: Person;
  let ncbPl: string;
  const startedAt = Date.now();

  const ids = async (query: string) => (await server.services.database.db.all<{ id: string }>(sql.raw(query))).map((r) => r.id);

  beforeAll(async () => {
    server = await start();
    const admin = await enrolFirstAdmin(server);
    const { agencies } = await seedDirectory(admin);
    ncbPl = agencies.ncbB;
    anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
    piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
    await invite(admin, { email: 'audit@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
    officerPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB PL', role: 'ncb_officer', agencyId: agencies.ncbB });
    const template = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-TEMPLATE' }));
    expect(template.status, template.text).toBe(201);
    const { id } = template.body as { id: string };
    // The template itself stays out of the way: its request submitted, its notifications acknowledged.
    await server.execute(`update formal_requests set state = 'submitted' where contact_id = '${id}'`);
    await server.execute(`update ncb_notifications set acknowledged_at = created_at where contact_id = '${id}'`);
    await server.execute(
      `${numbers(BULK)} insert into urgent_contacts (id, ${CONTACT_COLUMNS}) select 'bulk-' || printf('%04d', n.i), ${CONTACT_COLUMNS} from n, urgent_contacts where urgent_contacts.id = '${id}'`,
    );
    // Older open requests, drafted and far from any reminder: a year to go.
    await server.execute(
      `insert into formal_requests (id, contact_id, instrument, state, opened_at, deadline_at, draft, updated_at) select 'fr-' || c.id, c.id, f.instrument, 'drafted', f.opened_at, f.opened_at + ${365 * DAY}, f.draft, f.opened_at from urgent_contacts c, formal_requests f where c.id like 'bulk-%' and f.contact_id = '${id}'`,
    );
    // Unacknowledged notifications 20 minutes old and more, the oldest last: due for their first escalation.
    await server.execute(
      `${numbers(ESCALATIONS)} insert into ncb_notifications (id, contact_id, agency_id, country_code, side, created_at) select 'esc-' || printf('%04d', n.i), 'bulk-' || printf('%04d', n.i), '${ncbPl}', 'PL', 'requested', ${startedAt - 20 * MINUTE} - n.i * 1000 from n`,
    );
  });
  afterAll(async () => server.stop());

  describe('NCB escalations', () => {
    it('escalate every due notification in one tick, beyond one page', async () => {
      const report = await server.runDueWork({ at: startedAt });
      expect(report.escalated).toBe(ESCALATIONS);
      expect(await ids(`select id from ncb_notifications where id like 'esc-%' and escalation_level = 1`)).toHaveLength(ESCALATIONS);
    });

    it("continue, oldest first, in the next tick when one reaches its budget", async () => {
      // Fifteen minutes on, all of them are due for their second escalation.
      const at = startedAt + 15 * MINUTE;
      const escalatedAfter = async () => ids(`select id from ncb_notifications where id like 'esc-%' and escalation_level = 2 order by id`);
      const oldest = (n: number) => Array.from({ length: n }, (_, k) => bulkId('esc', ESCALATIONS - k)).sort();

      expect((await server.runDueWork({ at, budget: { rows: 60 } })).escalated).toBe(60);
      expect(await escalatedAfter()).toEqual(oldest(60));
      expect((await server.runDueWork({ at, budget: { rows: 60 } })).escalated).toBe(60);
      expect(await escalatedAfter()).toEqual(oldest(120));
      expect((await server.runDueWork({ at, budget: { rows: 60 } })).escalated).toBe(30);
      expect((await server.runDueWork({ at, budget: { rows: 60 } })).escalated).toBe(0);
    });
  });

  describe('formal-request deadlines', () => {
    let late: { formalRequestId: string; deadlineAt: number };

    it('alert a newly overdue request, however many older open requests wait', async () => {
      const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-LATE' }));
      expect(opened.status, opened.text).toBe(201);
      late = opened.body as typeof late;

      const report = await server.runDueWork({ at: late.deadlineAt + MINUTE });
      expect(report.overdue).toBe(1);
      expect(report.reminders).toBe(0);
      expect(await ids(`select id from formal_requests where overdue_at is not null`)).toEqual([late.formalRequestId]);
      const alert = await server.services.database.db.all<{ n: number }>(
        sql`select count(*) as n from log_entries where type = 'formal_request.overdue' and data like ${`%${late.formalRequestId}%`}`,
      );
      expect(alert[0]!.n).toBe(1);
    });

    it('list an overdue request as overdue however many newer open ones there are', async () => {
      // The listing asks the real clock, so the late request's deadline moves into the past; the older requests
      // become the newer ones: opened after it, still far from any reminder.
      await server.execute(`update formal_requests set deadline_at = opened_at + 1 where id = '${late.formalRequestId}'`);
      await server.execute(`update formal_requests set opened_at = ${late.deadlineAt} + cast(substr(id, -4) as integer), deadline_at = ${late.deadlineAt + 365 * DAY} where id like 'fr-bulk-%'`);
      const listed = await officerPl.client.get('/api/v1/formal-requests?overdue=true');
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.requests.map((r: { id: string }) => r.id)).toEqual([late.formalRequestId]);
    });

    it('work off a backlog larger than a tick’s budget oldest-due first, the next tick continuing where the last stopped', async () => {
      // Every bulk request is now a day past its deadline, the first-numbered longest.
      await server.execute(`update formal_requests set deadline_at = opened_at + ${DAY} + cast(substr(id, -4) as integer) * 1000 where id like 'fr-bulk-%'`);
      const at = late.deadlineAt + 2 * DAY;
      const overdue = () => ids(`select id from formal_requests where id like 'fr-bulk-%' and overdue_at is not null order by id`);
      const first = (n: number) => Array.from({ length: n }, (_, k) => bulkId('fr-bulk', k + 1));

      expect((await server.runDueWork({ at, budget: { rows: 200 } })).overdue).toBe(200);
      expect(await overdue()).toEqual(first(200));
      expect((await server.runDueWork({ at, budget: { rows: 200 } })).overdue).toBe(200);
      expect(await overdue()).toEqual(first(400));
      expect((await server.runDueWork({ at, budget: { rows: 200 } })).overdue).toBe(BULK - 400);
      expect((await server.runDueWork({ at })).overdue).toBe(0);
    });

    it('a request whose alert cannot be written does not hold up the ones due after it, and is alerted once it can be', async () => {
      const again = [1, 2, 3].map((i) => `'${bulkId('fr-bulk', i)}'`).join(', ');
      await server.execute(`update formal_requests set overdue_at = null, reminded_50_at = null, reminded_90_at = null where id in (${again})`);
      const at = late.deadlineAt + 3 * DAY;
      await server.execute(`create trigger stuck_request before update on formal_requests when new.id = '${bulkId('fr-bulk', 1)}' begin select raise(abort, 'injected fault'); end`);
      try {
        expect((await server.runDueWork({ at })).overdue).toBe(2);
      } finally {
        await server.execute('drop trigger stuck_request');
      }
      expect(await ids(`select id from formal_requests where id in (${again}) and overdue_at is null`)).toEqual([bulkId('fr-bulk', 1)]);
      expect((await server.runDueWork({ at })).overdue).toBe(1);
    });
  });
}
