// The accountability guarantees under stress, on both runtimes (Node: tests/urgent/atomicity.test.ts, workerd:
// tests/worker/atomicity.test.ts). A fault injected into any one table of the urgent-contact write leaves nothing
// behind and answers problem+json; many contacts opened at once make one consistent log; two scheduler runs that
// overlap escalate each notification once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfCheckLog } from '../../src/audit-log/selfCheck';
import { leafHash, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '../../src/audit-log/tlog';
import { fromBase64 } from '../../src/crypto/base64url';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

const TABLES = ['conversations', 'conversation_members', 'urgent_contacts', 'contact_counterparts', 'ncb_notifications', 'outbox', 'formal_requests', 'log_entries', 'log_nodes'];
const ESCALATION_WINDOW_MS = 15 * 60_000;

export function atomicityScenario(start: StartHarness) {
  let server: Harness;
  let admin: Person, anna: Person, olga: Person, piotr: Person, compliance: Person;

  const count = async (table: string) => (await server.services.database.db.get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)))!.n;
  const snapshot = async () => Object.fromEntries(await Promise.all([...TABLES, 'credentials'].map(async (t) => [t, await count(t)] as const)));
  const counter = async () => (await server.services.database.db.get<{ c: number }>(sql`select sum(counter) as c from credentials`))!.c;

  beforeAll(async () => {
    server = await start();
    admin = await enrolFirstAdmin(server);
    const { agencies } = await seedDirectory(admin);
    anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
    olga = await invite(admin, { email: 'olga@police.ua', displayName: 'Olga', role: 'investigator', agencyId: agencies.policeA });
    piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
    compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
    await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB PL', role: 'ncb_officer', agencyId: agencies.ncbB });
  });
  afterAll(async () => server.stop());

  describe('atomicity under injected faults', () => {
    it.each([...TABLES.map((t) => [t, 'INSERT'] as const), ['credentials', 'UPDATE'] as const])(
      'a failure writing %s (%s) leaves nothing behind and answers problem+json',
      async (table, operation) => {
        const before = await snapshot();
        const counterBefore = await counter();
        const logSize = await server.services.logWriter.size();
        // A real SQLite failure inside the one atomic write (a transaction on Node, one D1 batch on Workers).
        await server.execute(`create trigger inject_fault before ${operation} on ${table} begin select raise(abort, 'injected fault in ${table}'); end`);
        try {
          const res = await openContact(anna, draftFor(piotr));
          expect(res.status, res.text).toBe(500);
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body.detail).not.toContain('injected fault');
        } finally {
          await server.execute('drop trigger inject_fault');
        }
        expect(await snapshot()).toEqual(before);
        expect(await counter()).toBe(counterBefore);
        expect(await server.services.logWriter.size()).toBe(logSize);
      },
    );

    it('after all those faults the log is intact and the next contact opens normally', async () => {
      const res = await openContact(anna, draftFor(piotr));
      expect(res.status, res.text).toBe(201);
      const report = await selfCheckLog(server.services, server.services.logSigner);
      expect(report.problems).toEqual([]);
      const orphans = await server.services.database.db.get<{ n: number }>(
        sql`select count(*) as n from urgent_contacts c where (select count(*) from ncb_notifications n where n.contact_id = c.id) <> 2 or not exists (select 1 from formal_requests f where f.contact_id = c.id) or not exists (select 1 from log_entries e where e.type = 'urgent_contact.opened' and json_extract(e.data, '$.subject.urgentContactId') = c.id)`,
      );
      expect(orphans?.n).toBe(0);
    });
  });

  describe('many urgent contacts opened at once', () => {
    it('produce one consistent log: no leaf index twice, every proof verifies against a signed checkpoint', async () => {
      const old = (await compliance.client.post('/api/v1/log/checkpoint')).body as { size: number; rootHash: string };
      const opened = await Promise.all(
        Array.from({ length: 8 }, (_, i) => openContact(i % 2 === 0 ? anna : olga, draftFor(piotr, { caseReference: `UA-2026-C${i}` }))),
      );
      expect(opened.map((r) => r.status)).toEqual(Array(8).fill(201));

      const indices = (await server.services.database.db.all<{ idx: number }>(sql`select idx from log_entries order by idx`)).map((r) => r.idx);
      expect(indices).toEqual(indices.map((_, i) => i));
      const contacts = await server.services.database.db.all<{ n: number }>(
        sql`select count(*) as n from log_entries where type = 'urgent_contact.opened' group by json_extract(data, '$.subject.urgentContactId')`,
      );
      expect(contacts.every((c) => c.n === 1)).toBe(true);

      const checkpoint = (await compliance.client.post('/api/v1/log/checkpoint')).body as { size: number; rootHash: string; note: string };
      const key = parseVerifierKey((await compliance.client.get('/api/v1/log/key')).body.verifierKey);
      expect(parseCheckpoint((await openNote(checkpoint.note, key)).text).size).toBe(checkpoint.size);
      for (let index = old.size; index < checkpoint.size; index++) {
        const res = await compliance.client.get(`/api/v1/log/entries/${index}?treeSize=${checkpoint.size}`);
        expect(res.status, res.text).toBe(200);
        const ok = verifyInclusion({
          leafHash: leafHash(new TextEncoder().encode(res.body.entry.data)),
          index,
          size: checkpoint.size,
          proof: res.body.inclusion.proof.map(fromBase64),
          root: fromBase64(checkpoint.rootHash),
        });
        expect(ok, `entry ${index}`).toBe(true);
      }
      const consistency = await compliance.client.get(`/api/v1/log/consistency?from=${old.size}&to=${checkpoint.size}`);
      expect(consistency.status, consistency.text).toBe(200);
      expect(
        verifyConsistency({ oldSize: old.size, newSize: checkpoint.size, oldRoot: fromBase64(old.rootHash), newRoot: fromBase64(checkpoint.rootHash), proof: consistency.body.proof.map(fromBase64) }),
      ).toBe(true);
      expect((await selfCheckLog(server.services, server.services.logSigner)).problems).toEqual([]);
    });
  });

  describe('scheduler runs that overlap', () => {
    it('escalate each unacknowledged notification once', async () => {
      const pending = await server.services.database.db.all<{ id: string }>(sql`select id from ncb_notifications where acknowledged_at is null and escalation_level = 0`);
      expect(pending.length).toBeGreaterThan(0);
      const escalatedBefore = await count("log_entries where type = 'ncb.escalated'");
      const outboxBefore = await count('outbox');
      const at = Date.now() + ESCALATION_WINDOW_MS + 60_000;

      const [first, second] = await Promise.all([server.runDueWork({ at }), server.runDueWork({ at })]);
      expect(first.escalated + second.escalated).toBe(pending.length);
      expect(await count("log_entries where type = 'ncb.escalated'")).toBe(escalatedBefore + pending.length);
      const levels = await server.services.database.db.all<{ level: number }>(sql`select escalation_level as level from ncb_notifications where acknowledged_at is null`);
      expect(levels.every((l) => l.level === 1)).toBe(true);
      const claims = await server.services.database.db.all<{ n: number }>(sql`select count(*) as n from ncb_escalations group by notification_id, level`);
      expect(claims.every((c) => c.n === 1)).toBe(true);
      const mailsPerStep = (await count('outbox')) - outboxBefore;

      // A third run finds nothing due at that time, and writes nothing.
      expect((await server.runDueWork({ at })).escalated).toBe(0);
      expect((await count('outbox')) - outboxBefore).toBe(mailsPerStep);
      expect((await selfCheckLog(server.services, server.services.logSigner)).problems).toEqual([]);
    });
  });
}
