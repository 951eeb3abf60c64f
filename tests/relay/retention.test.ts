// Retention with a backlog, against a real SQLite file: every expired envelope and attachment is erased however many
// there are, in pages (each page one logged batch), and a run cut short by its budget is continued by the next one.
// Thousands of messages cannot be sent through devices in a test, so they are written with plain SQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogWriter } from '../../src/audit-log/logWriter';
import { logEntries } from '../../src/audit-log/tables';
import { manualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { inRowAttachmentStore } from '../../src/relay/attachmentStore';
import { purgeExpired } from '../../src/relay/retention';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/storage/sqliteDatabase';

const DAY = 86_400_000;
const EXPIRED = 5001;
const BLOBS = 1200;

let database: SqliteDatabase;
let clock: ReturnType<typeof manualClock>;
const services = () => ({
  database,
  clock,
  logger: pino({ level: 'silent' }),
  config: loadConfig({ EXIGENT_DB: ':memory:', EXIGENT_RETENTION_DAYS: '30' }),
  logWriter: createLogWriter({ database, clock }),
  attachments: inRowAttachmentStore,
});
const count = (query: string) => database.sqlite.prepare(`select count(*) as n from ${query}`).get() as { n: number };

beforeEach(() => {
  database = openSqliteDatabase({ path: join(mkdtempSync(join(tmpdir(), 'exigent-retention-')), 'db.sqlite') });
  clock = manualClock();
  const old = clock.now() - 31 * DAY;
  database.sqlite.exec(`
    insert into conversations (id, status, created_at) values ('conv', 'open', ${old});
    with recursive n(i) as (select 1 union all select i + 1 from n where i < ${EXPIRED})
      insert into messages (id, conversation_id, sender_user_id, sender_device_id, envelope, signature, size, recipient_count, created_at)
      select 'old-' || i, 'conv', 'u', 'd', '{}', 's', 2, 1, ${old} + i from n;
    insert into deliveries (device_id, message_id, created_at) select 'd', id, created_at from messages;
    insert into messages (id, conversation_id, sender_user_id, sender_device_id, envelope, signature, size, recipient_count, created_at)
      values ('fresh', 'conv', 'u', 'd', '{}', 's', 2, 1, ${clock.now()});
    insert into deliveries (device_id, message_id, created_at) values ('d', 'fresh', ${clock.now()});
    with recursive n(i) as (select 1 union all select i + 1 from n where i < ${BLOBS})
      insert into blobs (id, conversation_id, uploader_user_id, data, size, created_at) select 'blob-' || i, 'conv', 'u', x'00', 1, ${old} + i from n;
  `);
});
afterEach(() => database.close());

describe('retention with a backlog', () => {
  it('erases every expired envelope and attachment in one run, however many, and leaves fresh ones', async () => {
    const report = await purgeExpired(services());
    expect(report).toMatchObject({ envelopes: EXPIRED, blobs: BLOBS });
    expect(count('messages where envelope is not null')).toEqual({ n: 1 });
    expect(count('deliveries')).toEqual({ n: 1 });
    expect(count('blobs')).toEqual({ n: 0 });
    // Each page is logged with what it erased; together they account for everything.
    const logged = (await database.db.select().from(logEntries).where(eq(logEntries.type, 'relay.purged'))).map((e) => JSON.parse(e.data).details);
    expect(logged.reduce((sum, d) => sum + d.envelopes, 0)).toBe(EXPIRED);
    expect(logged.reduce((sum, d) => sum + d.blobs, 0)).toBe(BLOBS);
  });

  it('stops at its budget and the next run continues with the oldest', async () => {
    const first = await purgeExpired(services(), { budget: { rows: 2000 } });
    expect(first.envelopes + first.blobs).toBeGreaterThanOrEqual(2000);
    expect(first.envelopes + first.blobs).toBeLessThan(EXPIRED + BLOBS);
    // Oldest first: what is left is younger than everything erased.
    const left = database.sqlite.prepare(`select min(created_at) as oldest from messages where envelope is not null and id != 'fresh'`).get() as { oldest: number };
    const erased = database.sqlite.prepare('select max(created_at) as youngest from messages where envelope is null').get() as { youngest: number };
    expect(left.oldest).toBeGreaterThan(erased.youngest);

    const rest = await purgeExpired(services());
    expect(first.envelopes + rest.envelopes).toBe(EXPIRED);
    expect(first.blobs + rest.blobs).toBe(BLOBS);
    expect(await purgeExpired(services())).toMatchObject({ envelopes: 0, blobs: 0 });
  });
});
