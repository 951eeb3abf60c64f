/** @module The embedded adapter: better-sqlite3 with WAL and foreign keys, migrations from ./migrations, batches as transactions. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Database, Db, Statement } from './database';
import { startWalCheckpointer } from './walCheckpointer';

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface SqliteDatabase extends Database {
  /** The raw handle, for the few hot paths that use prepared statements and for online backups. */
  readonly sqlite: BetterSqlite3.Database;
  close(): void;
}

interface RunnableSync {
  run(): unknown;
}

/**
 * Opens (creating if needed) the SQLite file, applies pending migrations and returns the storage adapter.
 * @example
 * const database = openSqliteDatabase({ path: './data/exigent.db' });
 * await database.batch([database.db.insert(countries).values({ code: 'UA', name: 'Ukraine' })]);
 */
const WAL_REWIND_FRAMES = 1024;

export function openSqliteDatabase(options: {
  path: string;
  migrate?: boolean;
  /** WAL checkpoint cadence; 0 leaves the WAL alone (tests that count its frames). */
  checkpointEveryMs?: number;
  /** WAL length in pages past which it is rewound (default 1024, 4 MiB); tests that count rewinds lower it. */
  walRewindFrames?: number;
  /** Where a failed background checkpoint is reported (it is retried at the next tick). */
  onCheckpointError?: (message: string) => void;
}): SqliteDatabase {
  if (options.path !== ':memory:') mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const sqlite = new BetterSqlite3(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoint the WAL on a timer, off the event loop (see walCheckpointer), instead of inside whichever commit
  // crosses the 1000-page mark: that fsync was the p99 of every write.
  sqlite.pragma('wal_autocheckpoint = 0');
  const db = drizzle(sqlite);
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const checkpointEveryMs = options.checkpointEveryMs ?? 250;
  const checkpointer =
    options.path === ':memory:' || checkpointEveryMs === 0
      ? undefined
      : startWalCheckpointer({
          path: options.path,
          intervalMs: checkpointEveryMs,
          catchUp: () => sqlite.pragma('wal_checkpoint(PASSIVE)'),
          rewindAfterFrames: options.walRewindFrames ?? WAL_REWIND_FRAMES,
          onError: options.onCheckpointError ?? ((message) => console.error(`WAL checkpoint failed: ${message}`)),
        });

  const groupCommit = createGroupCommit(sqlite);
  return {
    db: db as unknown as Db,
    sqlite,
    async batch(statements, options) {
      if (statements.length === 0) return;
      return groupCommit.submit(statements, options?.coalesce === true);
    },
    isUniqueViolation: isSqliteUniqueViolation,
    isCheckViolation(error, constraint) {
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      return code === 'SQLITE_CONSTRAINT_CHECK' && String(message).includes(constraint);
    },
    async ping() {
      return db.get<{ ok: number }>(sql`select 1 as ok`)?.ok === 1;
    },
    close() {
      groupCommit.flush();
      checkpointer?.stop();
      sqlite.close();
    },
  };
}

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

/** better-sqlite3 sets SQLite's extended code; the message names the columns ("UNIQUE constraint failed: log_entries.idx"). */
function isSqliteUniqueViolation(error: unknown, table: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return UNIQUE_CODES.has(String(code)) && String(message).includes(`: ${table}.`);
}

interface PendingBatch {
  statements: readonly Statement[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: coalescing batches wait for the end of the event-loop turn and are committed together, in one
 * SQLite transaction; a failing batch is rejected alone and the others are committed without it. Under load the relay's concurrent sends and acknowledgements touch the same few tail pages of their
 * tables and indexes; one commit writes each page to the WAL once instead of once per batch (a send with its
 * two acknowledgements went from ~23 WAL frames to ~5), and the WAL checkpoints shrink with it. Other batches
 * commit at once (taking any waiting ones along): deferring every write had raised the urgent-contact commit's
 * p50 from 0.8 to 4 ms, the rest of a busy turn. A batch's promise settles only after the commit that holds
 * it, so awaiting `batch` still means "durable".
 */
function createGroupCommit(sqlite: BetterSqlite3.Database) {
  const begin = sqlite.prepare('BEGIN');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  let pending: PendingBatch[] = [];
  let scheduled = false;

  const runStatements = (statements: readonly Statement[]) => {
    for (const statement of statements) {
      if ('kind' in statement && statement.kind === 'raw') sqlite.prepare(statement.sql).run(...statement.params);
      else if ('prepared' in statement) statement.prepared.run(statement.params);
      else (statement as unknown as RunnableSync).run();
    }
  };

  function flush(): void {
    scheduled = false;
    let group = pending;
    pending = [];
    while (group.length > 0) group = commitGroup(group);
  }

  /**
   * Commits the group in one transaction. A batch that fails is rejected and the whole transaction rolled back
   * (which also undoes that batch's earlier statements); the others are returned, to be committed again
   * without it. Failures are rare on the paths that coalesce, so this costs less than a savepoint per batch,
   * which made SQLite copy every page a batch touched into a statement journal first.
   */
  function commitGroup(group: PendingBatch[]): PendingBatch[] {
    try {
      begin.run();
    } catch (error) {
      for (const batch of group) batch.reject(error);
      return [];
    }
    for (const batch of group) {
      try {
        runStatements(batch.statements);
      } catch (error) {
        // Some errors (a RAISE(ROLLBACK) trigger, some I/O errors) have already ended the transaction.
        if (sqlite.inTransaction) rollback.run();
        batch.reject(error);
        return group.filter((b) => b !== batch);
      }
    }
    try {
      commit.run();
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      for (const batch of group) batch.reject(error);
      return [];
    }
    for (const batch of group) batch.resolve();
    return [];
  }

  return {
    submit(statements: readonly Statement[], coalesce: boolean): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        pending.push({ statements, resolve, reject });
        if (!coalesce) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    /** Commits whatever is waiting now (on close). */
    flush,
  };
}
