/**
 * @module The narrow storage interface every domain uses, so Node/better-sqlite3 and Workers/D1 share all other code.
 *
 * Reads are ordinary awaited drizzle queries. Every multi-row write is *one batch decided up front*:
 * a list of unexecuted drizzle statements that the adapter runs atomically (a transaction on
 * better-sqlite3, `db.batch` on D1, which has no interactive transactions).
 *
 * Blob columns are typed `Uint8Array` (drizzle's `$type`), so shared code binds plain bytes on either driver; reads
 * may return a Buffer on Node, which is a Uint8Array — never rely on Buffer's methods.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

/**
 * Typed without the relational schema: domain code builds select/insert/update/delete queries from its own tables and
 * never uses `db.query.*`, so storage needs no domain's tables (the runtime composes the schema for drizzle-kit).
 */
export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown>;
/**
 * A write prepared once (see preparedQuery) with this call's parameters: hot paths skip drizzle's per-call SQL
 * building and SQLite's re-preparation. The D1 adapter binds it the same way (`D1PreparedStatement.bind`).
 */
export interface BoundStatement {
  prepared: { run(params?: Record<string, unknown>): unknown };
  params: Record<string, unknown>;
}

/**
 * SQL text with positional parameters: how a statement crosses an isolate boundary (on Workers, the business rows
 * of a logged event travel to the log's single writer with its leaves). Domain code builds drizzle statements.
 */
export interface RawStatement {
  kind: 'raw';
  sql: string;
  params: unknown[];
}

export type Statement = BatchItem<'sqlite'> | BoundStatement | RawStatement;

export interface Database {
  /** Query builder for reads and for building statements; never call `.run()` on a write from domain code. */
  readonly db: Db;
  /**
   * Runs every statement or none. Rejects with the first statement's error; nothing is written then.
   * `coalesce`: the batch may wait for the end of the current event-loop turn and be committed together with
   * the turn's other coalescing batches — more throughput for high-volume writes (relay sends and
   * acknowledgements), a little latency for each. Adapters whose batch is already one round trip ignore it.
   */
  batch(statements: readonly Statement[], options?: { coalesce?: boolean }): Promise<void>;
  /**
   * True when `error` (thrown by `batch`) means the write failed because a unique or primary key of `table` was
   * taken — e.g. another process appended the same log index first. Each driver words this differently.
   */
  isUniqueViolation(error: unknown, table: string): boolean;
  /** True when `error` means the named CHECK constraint refused a row (a guard that aborts the whole batch). */
  isCheckViolation(error: unknown, constraint: string): boolean;
  /** True when the database answers a trivial query (health check). */
  ping(): Promise<boolean>;
}
