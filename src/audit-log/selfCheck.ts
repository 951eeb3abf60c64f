/**
 * @module The log's self-check: recompute the whole tree from the stored entries, compare every stored
 * node, and check every signed checkpoint against the recomputed roots. Any edited, deleted, reordered
 * or inserted row of the log tables shows up as a named problem.
 */
import { and, asc, count, eq, gt } from 'drizzle-orm';
import type { Platform } from '../platform';
import { allCheckpoints } from './checkpoints';
import { logEntries, logNodes } from './tables';
import { emptyRoot, equalBytes, leafHash, nodeHash, openNote, parseCheckpoint, rangeNodeIds } from './tlog';
import type { NoteVerifier } from './tlog';

export interface SelfCheckReport {
  ok: boolean;
  size: number;
  checkpointsChecked: number;
  problems: string[];
}

// Small pages keep rows in V8's young generation: with 100k-row pages garbage collection doubled the run time.
const PAGE = 5000;
const MAX_PROBLEMS = 50;

export async function selfCheckLog(services: Pick<Platform, 'database'>, verifier: NoteVerifier): Promise<SelfCheckReport> {
  const { db } = services.database;
  const problems: string[] = [];
  const report = (p: string) => problems.length < MAX_PROBLEMS && problems.push(p);

  // 1. Leaves: contiguous indices from 0, hashed from the stored canonical data.
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(logEntries);
  let levels: Uint8Array[] = [new Uint8Array(32 * n)];
  let expected = 0;
  for (let after = -1; ; ) {
    const rows = await db.select({ idx: logEntries.idx, data: logEntries.data }).from(logEntries).where(gt(logEntries.idx, after)).orderBy(asc(logEntries.idx)).limit(PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.idx !== expected) report(`entry index ${expected} is missing (next stored index is ${row.idx})`);
      if (expected < n) levels[0]!.set(leafHash(row.data), 32 * expected);
      expected = row.idx + 1;
    }
    after = rows[rows.length - 1]!.idx;
  }
  const size = n;

  // 2. Every level: stored perfect-subtree hashes must equal the recomputed ones, no more and no fewer.
  for (let level = 0; 2 ** level <= Math.max(size, 1); level++) {
    const computed = levels[level]!;
    const width = computed.length / 32;
    const [{ stored } = { stored: 0 }] = await db.select({ stored: count() }).from(logNodes).where(eq(logNodes.level, level));
    if (stored !== width) report(`level ${level} holds ${stored} stored nodes; a tree of ${size} leaves has ${width}`);
    for (let after = -1; ; ) {
      const rows = await db
        .select({ idx: logNodes.idx, hash: logNodes.hash })
        .from(logNodes)
        .where(and(eq(logNodes.level, level), gt(logNodes.idx, after)))
        .orderBy(asc(logNodes.idx))
        .limit(PAGE);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.idx >= width || !equalBytes(row.hash, computed.subarray(32 * row.idx, 32 * row.idx + 32))) {
          report(`stored node ${level}/${row.idx} does not match the entries`);
        }
      }
      after = rows[rows.length - 1]!.idx;
    }
    const next = new Uint8Array(32 * Math.floor(width / 2));
    for (let i = 0; i < Math.floor(width / 2); i++) next.set(nodeHash(computed.subarray(64 * i, 64 * i + 32), computed.subarray(64 * i + 32, 64 * i + 64)), 32 * i);
    levels.push(next);
  }

  const rootAtSize = (s: number): Uint8Array => {
    if (s === 0) return emptyRoot();
    const parts = rangeNodeIds(0, s).map((id) => levels[id.level]!.subarray(32 * id.index, 32 * id.index + 32));
    let hash = parts[parts.length - 1]!;
    for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(parts[i]!, hash);
    return hash;
  };

  // 3. Every checkpoint: a valid log signature over a root that the entries reproduce.
  const checkpoints = await allCheckpoints(services);
  for (const checkpoint of checkpoints) {
    try {
      const { text } = await openNote(checkpoint.note, verifier);
      const body = parseCheckpoint(text);
      if (body.size !== checkpoint.size || !equalBytes(body.rootHash, checkpoint.rootHash)) report(`checkpoint ${checkpoint.size}: stored columns differ from its signed note`);
      if (body.size > size) report(`checkpoint ${body.size} covers more entries than the ${size} stored`);
      else if (!equalBytes(rootAtSize(body.size), body.rootHash)) report(`checkpoint ${body.size}: the entries do not reproduce its signed root`);
    } catch (error) {
      report(`checkpoint ${checkpoint.size}: ${(error as Error).message}`);
    }
  }
  levels = [];
  return { ok: problems.length === 0, size, checkpointsChecked: checkpoints.length, problems };
}
