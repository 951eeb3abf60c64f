/** @module The embedded adapter: better-sqlite3 with WAL and foreign keys, migrations from ./migrations, batches as transactions. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Database, Db, Statement } from './database';
import * as schema from './schema';

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
export function openSqliteDatabase(options: { path: string; migrate?: boolean }): SqliteDatabase {
  if (options.path !== ':memory:') mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const sqlite = new BetterSqlite3(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoint the WAL on a timer instead of inside whichever commit crosses the 1000-page mark: that fsync
  // was the p99 of every write. PASSIVE never waits for readers; the WAL stays small at a one-second cadence.
  sqlite.pragma('wal_autocheckpoint = 0');
  const checkpointTimer = options.path === ':memory:' ? undefined : setInterval(() => sqlite.pragma('wal_checkpoint(PASSIVE)'), 1000);
  checkpointTimer?.unref();
  const db = drizzle(sqlite, { schema });
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });

  const runAll = sqlite.transaction((statements: readonly Statement[]) => {
    for (const statement of statements) {
      if ('prepared' in statement) statement.prepared.run(statement.params);
      else (statement as unknown as RunnableSync).run();
    }
  });

  return {
    db: db as unknown as Db,
    sqlite,
    async batch(statements) {
      if (statements.length === 0) return;
      runAll(statements);
    },
    async ping() {
      return db.get<{ ok: number }>(sql`select 1 as ok`)?.ok === 1;
    },
    close() {
      clearInterval(checkpointTimer);
      sqlite.close();
    },
  };
}
