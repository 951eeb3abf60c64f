/** @module Reading log entries (optionally only those concerning one country) and proving them against a checkpoint. */
import { and, asc, gte, like, lt } from 'drizzle-orm';
import { Invalid, NotFound } from '../errors';
import { toBase64 } from '../crypto/base64url';
import type { Platform } from '../platform';
import type { LogWriter } from './logWriter';
import { databaseNodeReader } from './nodeStore';
import { logEntries } from './tables';
import { consistencyProof, inclusionProof, leafHash } from './tlog';

export interface LogEntry {
  index: number;
  type: string;
  /** The leaf bytes as text (canonical JSON); SHA-256(0x00 ‖ data) is the leaf hash. */
  data: string;
  createdAt: number;
}

const encoder = new TextEncoder();
export const MAX_ENTRIES_PER_PAGE = 1000;

export async function readEntries(
  { database }: Pick<Platform, 'database'>,
  input: { from: number; to: number; countryCode?: string },
): Promise<LogEntry[]> {
  if (input.to < input.from) throw new Invalid(`"to" (${input.to}) must not be smaller than "from" (${input.from})`, 'to');
  const to = Math.min(input.to, input.from + MAX_ENTRIES_PER_PAGE);
  const rows = await database.db
    .select()
    .from(logEntries)
    .where(and(gte(logEntries.idx, input.from), lt(logEntries.idx, to), input.countryCode ? like(logEntries.countries, `%,${input.countryCode},%`) : undefined))
    .orderBy(asc(logEntries.idx));
  return rows.map((r) => ({ index: r.idx, type: r.type, data: r.data, createdAt: r.createdAt }));
}

export async function proveInclusion(
  services: Pick<Platform, 'database'> & { logWriter: LogWriter },
  input: { index: number; treeSize: number },
): Promise<{ index: number; treeSize: number; leafHash: string; proof: string[] }> {
  if (input.index >= input.treeSize) throw new Invalid(`Entry ${input.index} is not inside a tree of size ${input.treeSize}`, 'index');
  const size = await services.logWriter.size();
  if (input.treeSize > size) throw new Invalid(`treeSize (${input.treeSize}) exceeds the log's size (${size})`, 'treeSize');
  const [entry] = await readEntries(services, { from: input.index, to: input.index + 1 });
  if (!entry) throw new NotFound(`The log has no entry ${input.index}`);
  const proof = await inclusionProof(input.index, input.treeSize, databaseNodeReader(services.database));
  return { index: input.index, treeSize: input.treeSize, leafHash: toBase64(leafHash(encoder.encode(entry.data))), proof: proof.map(toBase64) };
}

export async function proveConsistency(
  services: Pick<Platform, 'database'> & { logWriter: LogWriter },
  input: { fromSize: number; toSize: number },
): Promise<{ fromSize: number; toSize: number; proof: string[] }> {
  if (input.fromSize > input.toSize) throw new Invalid(`fromSize (${input.fromSize}) must not exceed toSize (${input.toSize})`, 'fromSize');
  const size = await services.logWriter.size();
  if (input.toSize > size) throw new Invalid(`toSize (${input.toSize}) exceeds the log's size (${size})`, 'toSize');
  const proof = await consistencyProof(input.fromSize, input.toSize, databaseNodeReader(services.database));
  return { ...input, proof: proof.map(toBase64) };
}
