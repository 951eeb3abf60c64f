/**
 * @module Reads checkpoint rows and believes only their signed notes: a row's size and root are taken from its note
 * after the log's own signature on it verifies, and a row whose note does not verify, or whose columns disagree with
 * its note, is reported as tampered and skipped. Verified notes are cached by their text (reads are hot).
 */
import { desc, eq, lte, type SQL } from 'drizzle-orm';
import { toBase64 } from '../crypto/base64url';
import type { Platform } from '../platform';
import { logCheckpoints } from './tables';
import { equalBytes, openNote, parseCheckpoint, type NoteVerifier } from './tlog';

/** A checkpoint as its signed note states it (the note is the row's, without witness cosignatures). */
export interface VerifiedCheckpoint {
  size: number;
  rootHash: Uint8Array;
  note: string;
  createdAt: number;
}

/**
 * What reading checkpoints needs: the database, the log's public key to open each note with, and a logger for
 * tampered rows.
 */
export type CheckpointReaders = Pick<Platform, 'database'> & Partial<Pick<Platform, 'logger'>> & { logSigner: NoteVerifier };

type Opened = { size: number; rootHash: Uint8Array } | { problem: string };

const CACHE_LIMIT = 256;
const opened = new Map<string, Opened>();
const reported = new Set<string>();
const PAGE = 8;

/** Opens a checkpoint note with the log's key: its size and root, or why it is not a checkpoint this log signed. */
export async function openCheckpointNote(note: string, verifier: NoteVerifier): Promise<Opened> {
  const key = `${verifier.name} ${toBase64(verifier.publicKey)}\n${note}`;
  const cached = opened.get(key);
  if (cached) return cached;
  let result: Opened;
  try {
    const body = parseCheckpoint((await openNote(note, verifier)).text);
    result = body.origin === verifier.name ? { size: body.size, rootHash: body.rootHash } : { problem: `its note names the origin "${body.origin}"` };
  } catch (error) {
    result = { problem: `its note does not verify: ${(error as Error).message}` };
  }
  if (opened.size >= CACHE_LIMIT) opened.delete(opened.keys().next().value!);
  opened.set(key, result);
  return result;
}


/** Logs a tampered row at error level, once per process for each distinct finding (GET /log/checkpoint is hot). */
function reportTampered(services: CheckpointReaders, size: number, problem: string): void {
  const finding = `${size}\n${problem}`;
  if (reported.has(finding)) return;
  if (reported.size >= CACHE_LIMIT) reported.clear();
  reported.add(finding);
  const message = 'stored checkpoint row is tampered with; it is not served';
  if (services.logger) services.logger.error({ checkpointRow: size, problem }, message);
  else console.error(message, { checkpointRow: size, problem });
}

type Row = typeof logCheckpoints.$inferSelect;

/** The row as its note states it, or undefined (reported) when the row is not what the log signed. */
export async function verifiedRow(services: CheckpointReaders, row: Row): Promise<VerifiedCheckpoint | undefined> {
  const result = await openCheckpointNote(row.note, services.logSigner);
  if ('problem' in result) {
    reportTampered(services, row.size, result.problem);
    return undefined;
  }
  if (result.size !== row.size || !equalBytes(result.rootHash, new Uint8Array(row.rootHash))) {
    reportTampered(services, row.size, `its columns (size ${row.size}, root ${toBase64(new Uint8Array(row.rootHash))}) differ from its signed note (size ${result.size}, root ${toBase64(result.rootHash)})`);
    return undefined;
  }
  return { size: result.size, rootHash: result.rootHash, note: row.note, createdAt: row.createdAt };
}

/**
 * The newest row (optionally of at most `maxSize`) that is what the log signed. `stored` says whether any row was
 * looked at, so a caller can tell "no checkpoint yet" from "none that verifies".
 */
export async function newestVerifiedCheckpoint(services: CheckpointReaders, maxSize?: number): Promise<{ checkpoint?: VerifiedCheckpoint; stored: boolean }> {
  const where: SQL | undefined = maxSize === undefined ? undefined : lte(logCheckpoints.size, maxSize);
  let stored = false;
  for (let offset = 0; ; offset += PAGE) {
    const rows = await services.database.db.select().from(logCheckpoints).where(where).orderBy(desc(logCheckpoints.size)).limit(PAGE).offset(offset);
    stored ||= rows.length > 0;
    for (const row of rows) {
      const checkpoint = await verifiedRow(services, row);
      if (checkpoint) return { checkpoint, stored };
    }
    if (rows.length < PAGE) return { stored };
  }
}

/** The row of exactly `size` if it is what the log signed. */
export async function verifiedCheckpointAt(services: CheckpointReaders, size: number): Promise<VerifiedCheckpoint | undefined> {
  const [row] = await services.database.db.select().from(logCheckpoints).where(eq(logCheckpoints.size, size));
  return row && verifiedRow(services, row);
}
