// Checkpoints run on a worker thread, with a short catch-up on the writer's thread, so that under continuous
// writes the WAL is still rewound again and again instead of growing; closing the database closes the worker's
// connection too.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countries } from '../../src/directory/tables';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/storage/sqliteDatabase';
import { startWalCheckpointer } from '../../src/storage/walCheckpointer';

let dir: string;
let database: SqliteDatabase | undefined;
afterEach(() => {
  database?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The WAL header's checkpoint sequence number (bytes 12–15, big-endian): it grows each time the WAL is rewound. */
const walResets = (path: string) => readFileSync(`${path}-wal`).readUInt32BE(12);

describe('WAL checkpointer', () => {
  it('keeps rewinding the WAL while writes never stop, and lets go of the file on close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'exigent-checkpointer-'));
    const path = join(dir, 'test.db');
    // Rewound past a single page, so that even these tiny rows make it rewind several times.
    database = openSqliteDatabase({ path, checkpointEveryMs: 50, walRewindFrames: 1 });
    const db = database;
    const before = walResets(path);
    let written = 0;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      // A batch every turn of the event loop: there is never a quiet moment for a checkpoint to finish on its own.
      await db.batch([db.db.insert(countries).values({ code: `C${written}`, name: `Country ${written}` })], { coalesce: written % 2 === 0 });
      written++;
    }
    expect(walResets(path) - before).toBeGreaterThanOrEqual(3);
    expect((db.sqlite.prepare('select count(*) as n from countries').get() as { n: number }).n).toBe(written);
    db.close();
    database = undefined;
    // SQLite removes the WAL when the last connection closes: the worker's connection is gone too.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('checkpoints on the main thread when the worker cannot run, and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'exigent-checkpointer-'));
    const errors: string[] = [];
    let catchUps = 0;
    // No database at that path: the worker's connection fails and the worker exits.
    const checkpointer = startWalCheckpointer({ path: join(dir, 'missing.db'), intervalMs: 20, rewindAfterFrames: 0, catchUp: () => catchUps++, onError: (m) => errors.push(m) });
    const deadline = Date.now() + 5000;
    while (catchUps < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    checkpointer.stop();
    expect(catchUps).toBeGreaterThanOrEqual(3);
    expect(errors.join('\n')).toMatch(/checkpointing on the main thread/);
    const after = catchUps;
    await new Promise((r) => setTimeout(r, 100));
    expect(catchUps).toBe(after);
  });

  it('catches up on the writer\'s thread only after a pass that left the WAL longer than rewindAfterFrames', async () => {
    dir = mkdtempSync(join(tmpdir(), 'exigent-checkpointer-'));
    const path = join(dir, 'test.db');
    // The database's own checkpointer is off: the two below are the only ones.
    database = openSqliteDatabase({ path, checkpointEveryMs: 0 });
    const db = database;
    const calls = { short: 0, always: 0 };
    const rewindLate = startWalCheckpointer({ path, intervalMs: 20, rewindAfterFrames: 1_000_000, catchUp: () => calls.short++, onError: () => {} });
    const rewindEarly = startWalCheckpointer({ path, intervalMs: 20, rewindAfterFrames: 0, catchUp: () => calls.always++, onError: () => {} });
    try {
      for (let i = 0; i < 200; i++) {
        await db.batch([db.db.insert(countries).values({ code: `C${i}`, name: `Country ${i}` })]);
        await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      rewindLate.stop();
      rewindEarly.stop();
    }
    // Passes ran and saw the WAL (a catch-up per pass for the one whose threshold every WAL passes)…
    expect(calls.always).toBeGreaterThanOrEqual(3);
    // …and none for the one whose threshold this short WAL never reached.
    expect(calls.short).toBe(0);
  });
});
