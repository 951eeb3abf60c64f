// The SQLite adapter commits coalescing batches of one event-loop turn together, and any other batch at once.
// Each batch must still be all-or-nothing on its own: a failing one rolls back alone (even when SQLite aborts the
// whole transaction), the others commit, and a batch's promise settles only once its rows are committed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countries } from '../../src/directory/tables';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/storage/sqliteDatabase';

let dir: string;
let database: SqliteDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exigent-group-commit-'));
  // No checkpoints: the first test counts WAL frames.
  database = openSqliteDatabase({ path: join(dir, 'test.db'), checkpointEveryMs: 0 });
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const insertCountry = (code: string) => database.db.insert(countries).values({ code, name: `Country ${code}` });
const coalesced = (...codes: string[]) => database.batch(codes.map(insertCountry), { coalesce: true });
const storedCodes = () =>
  database.sqlite
    .prepare('select code from countries order by code')
    .all()
    .map((r) => (r as { code: string }).code);
const walFrames = () => (database.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
const code = (prefix: string, i: number) => `${prefix}${String(i).padStart(2, '0')}`;

describe('group commit', () => {
  it('commits the coalescing batches of one turn in one transaction: fewer WAL frames than one commit each', async () => {
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    for (let i = 0; i < 20; i++) await database.batch([insertCountry(code('A', i))]);
    const separately = walFrames();
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    await Promise.all(Array.from({ length: 20 }, (_, i) => coalesced(code('B', i))));
    const together = walFrames();
    expect(storedCodes()).toHaveLength(40);
    expect(together).toBeLessThan(separately / 5);
  });

  it('settles a coalescing batch only once the end of the turn has committed it', async () => {
    const written = coalesced('UA');
    expect(storedCodes()).toEqual([]);
    await written;
    expect(storedCodes()).toEqual(['UA']);
  });

  it('commits any other batch at once, taking the waiting ones along', async () => {
    const waiting = coalesced('PL');
    const now = database.batch([insertCountry('UA')]);
    expect(storedCodes()).toEqual(['PL', 'UA']);
    await Promise.all([waiting, now]);
  });

  it('rolls back a failing batch alone; the batches around it commit', async () => {
    await database.batch([insertCountry('UA')]);
    const results = await Promise.allSettled([
      coalesced('PL'),
      // The first statement succeeds, the second violates the primary key: neither may remain.
      coalesced('DE', 'UA'),
      coalesced('FR'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(storedCodes()).toEqual(['FR', 'PL', 'UA']);
  });

  it('recommits the other batches when SQLite aborts the whole transaction (RAISE(ROLLBACK))', async () => {
    database.sqlite.exec(`create trigger refuse_xx before insert on countries when new.code = 'XX' begin select raise(rollback, 'refused'); end`);
    const results = await Promise.allSettled([coalesced('PL'), coalesced('DE', 'XX'), coalesced('FR')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/refused/);
    expect(storedCodes()).toEqual(['FR', 'PL']);
  });

  it('commits waiting batches when the database is closed', async () => {
    const written = coalesced('UA');
    database.close();
    await written;
    database = openSqliteDatabase({ path: join(dir, 'test.db') });
    expect(storedCodes()).toEqual(['UA']);
  });
});
