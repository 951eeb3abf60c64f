/**
 * @module The scale-out adapter: Cloudflare D1 through drizzle. D1 has no interactive transactions, so every batch
 * is one `D1Database.batch` (atomic: all statements commit or none). Statements are turned into D1 prepared
 * statements here, so a batch can mix drizzle builders, prepared hot-path writes and raw SQL from another isolate.
 */
import { fillPlaceholders, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Database, Db, RawStatement, Statement } from './database';

/** The part of `D1Database` the adapter uses (declared here so shared code compiles without the Workers types). */
export interface D1Like {
  prepare(query: string): { bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown>;
}

export interface D1StorageDatabase extends Database {
  /** The statement as SQL text with positional parameters, to hand to the log's single writer in another isolate. */
  toRaw(statement: Statement): RawStatement;
}

/**
 * @example
 * const database = openD1Database(env.DB);
 * await database.batch([database.db.insert(countries).values({ code: 'UA', name: 'Ukraine' })]);
 */
export function openD1Database(d1: D1Like): D1StorageDatabase {
  const db = drizzle(d1 as never) as unknown as Db;
  const client = d1;

  function toRaw(statement: Statement): RawStatement {
    if ('kind' in statement && statement.kind === 'raw') return statement;
    if ('prepared' in statement) {
      // A drizzle prepared query keeps its SQL and its parameter list with placeholders (drizzle's `query` field).
      const { query } = statement.prepared as unknown as { query?: { sql: string; params: unknown[] } };
      if (!query) throw new Error('A bound statement on D1 must come from a drizzle prepared query');
      return { kind: 'raw', sql: query.sql, params: fillPlaceholders(query.params, statement.params).map(toD1Value) };
    }
    const { sql: text, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    return { kind: 'raw', sql: text, params: params.map(toD1Value) };
  }

  return {
    db,
    toRaw,
    async batch(statements) {
      if (statements.length === 0) return;
      await client.batch(statements.map((statement) => {
        const raw = toRaw(statement);
        return client.prepare(raw.sql).bind(...raw.params);
      }));
    },
    isUniqueViolation(error, table) {
      // D1 reports SQLite's message text ("D1_ERROR: UNIQUE constraint failed: log_entries.idx: SQLITE_CONSTRAINT"),
      // also when the error crossed a Durable Object call, which keeps only the message.
      return new RegExp(`UNIQUE constraint failed: ${table}\\.`).test(String((error as { message?: unknown } | undefined)?.message ?? error));
    },
    isCheckViolation(error, constraint) {
      return String((error as { message?: unknown } | undefined)?.message ?? error).includes(`CHECK constraint failed: ${constraint}`);
    },
    async ping() {
      return (await db.get<{ ok: number }>(sql`select 1 as ok`))?.ok === 1;
    },
  };
}

/** D1 binds strings, numbers, null and ArrayBuffer(-views); booleans are stored as SQLite integers, as drizzle reads them. */
function toD1Value(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}
