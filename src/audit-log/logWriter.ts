/**
 * @module The log's single writer: turns events into leaf and node rows and commits them in the same batch as the business rows.
 *
 * Appends are serialised through one in-process queue so the tree never forks; the leaf index is
 * also the primary key, so even a second writer could only make its own batch fail, never fork the tree.
 * The right edge of the tree (the frontier) is cached, so an append costs O(log n) work and ~2 node writes.
 */
import { and, eq, or, sql } from 'drizzle-orm';
import type { Clock } from '../clock';
import type { Database, Statement } from '../storage/database';
import { encodeLeaf, type LogEvent } from './logEvent';
import { logEntries, logNodes } from './tables';
import { appendLeaves, frontierNodeIds, leafHash, type Frontier } from './tlog';

const encoder = new TextEncoder();
/**
 * Bound parameters per statement: D1 allows 100 (https://developers.cloudflare.com/d1/platform/limits/), SQLite far
 * more. An entry row binds 5, a node row 3, so a batch of more than ~16 events needs several inserts.
 */
const MAX_BOUND_PARAMETERS = 100;

export interface LogWriter {
  /**
   * Appends `events` as leaves and runs them in ONE atomic batch together with `statements`.
   * Resolves once committed with the new leaves' indices and how long the batch itself took (excluding the
   * wait for earlier commits); if anything fails nothing is written. An event whose leaf would exceed
   * MAX_LEAF_BYTES is refused with Invalid (naming its largest field) before the batch runs.
   */
  commit(events: readonly LogEvent[], statements?: readonly Statement[]): Promise<Committed>;
  /** Number of committed leaves. */
  size(): Promise<number>;
}

export interface Committed {
  indices: number[];
  batchMs: number;
}

interface TreeState {
  size: number;
  frontier: Frontier;
}

export function createLogWriter(options: { database: Database; clock: Clock }): LogWriter {
  const { database, clock } = options;
  let state: TreeState | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function storedSize(): Promise<number> {
    const row = await database.db.get<{ n: number | null }>(sql`select max(idx) + 1 as n from log_entries`);
    return row?.n ?? 0;
  }

  async function loadState(): Promise<TreeState> {
    const size = await storedSize();
    const ids = frontierNodeIds(size);
    if (ids.length === 0) return { size, frontier: [] };
    const rows = await database.db
      .select()
      .from(logNodes)
      .where(or(...ids.map((id) => and(eq(logNodes.level, id.level), eq(logNodes.idx, id.index)))));
    const byKey = new Map(rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.hash)]));
    const frontier = ids.map((id) => {
      const hash = byKey.get(`${id.level}/${id.index}`);
      if (!hash) throw new Error(`log_nodes is missing frontier node ${id.level}/${id.index} for size ${size}`);
      return hash;
    });
    return { size, frontier };
  }

  /**
   * Commits; if the batch lost a race for a leaf index (another process — the operator CLI, say — appended since
   * the frontier was cached), it re-reads the tree and tries once more. Nothing of the failed batch was written.
   */
  async function commitNow(events: readonly LogEvent[], statements: readonly Statement[]): Promise<Committed> {
    try {
      return await attempt(events, statements);
    } catch (error) {
      if (!isLeafIndexTaken(database, error)) throw error;
      return attempt(events, statements);
    }
  }

  async function attempt(events: readonly LogEvent[], statements: readonly Statement[]): Promise<Committed> {
    if (events.length === 0) {
      const started = performance.now();
      await database.batch(statements);
      return { indices: [], batchMs: performance.now() - started };
    }
    const current = state ?? (state = await loadState());
    const at = clock.now();
    const encoded = events.map((event) => encodeLeaf(event, at));
    const hashes = encoded.map((e) => leafHash(encoder.encode(e.text)));
    const next = appendLeaves(current.frontier, current.size, hashes);
    const entryRows = encoded.map((e, i) => ({
      idx: current.size + i,
      type: e.leaf.type,
      data: e.text,
      countries: `,${e.leaf.countries.join(',')},`,
      createdAt: at,
    }));
    const nodeRows = next.newNodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash }));
    const started = performance.now();
    try {
      await database.batch([
        ...statements,
        ...chunk(entryRows, Math.floor(MAX_BOUND_PARAMETERS / 5)).map((rows) => database.db.insert(logEntries).values(rows)),
        ...chunk(nodeRows, Math.floor(MAX_BOUND_PARAMETERS / 3)).map((rows) => database.db.insert(logNodes).values(rows)),
      ]);
    } catch (error) {
      // Re-read the tree next time: if another process appended, our cached frontier is stale.
      state = undefined;
      throw error;
    }
    // Only a committed batch moves the cached frontier; a failed one leaves the tree exactly as it was.
    state = { size: next.size, frontier: next.frontier };
    return { indices: entryRows.map((r) => r.idx), batchMs: performance.now() - started };
  }

  return {
    commit(events, statements = []) {
      const run = queue.then(() => commitNow(events, statements));
      queue = run.catch(() => undefined);
      return run;
    },
    async size() {
      await queue;
      // Read from the database, not the cache: another process may have appended (and the checkpoint must cover it).
      const stored = await storedSize();
      if (!state || state.size !== stored) state = await loadState();
      return state.size;
    },
  };
}

function isLeafIndexTaken(database: Database, error: unknown): boolean {
  return database.isUniqueViolation(error, 'log_entries') || database.isUniqueViolation(error, 'log_nodes');
}

/** SQLite and D1 limit bound parameters per statement, so large appends are split into several inserts of one batch. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
