/**
 * @module Signed tree heads: issues C2SP checkpoints (through the CheckpointIssuer, which refuses rewritten history)
 * and serves them with every witness cosignature attached. What is served is what the log's key signed: size and root
 * come from the verified note, never from the editable columns beside it (src/audit-log/storedCheckpoints.ts).
 */
import { asc, eq } from 'drizzle-orm';
import { IntegrityFailure, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { CheckpointIssuer } from './checkpointIssuer';
import { newestVerifiedCheckpoint, verifiedCheckpointAt, type CheckpointReaders } from './storedCheckpoints';
import { cosignatures, logCheckpoints } from './tables';

export interface Checkpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note: checkpoint body, a blank line, the log's signature and any witness cosignatures. */
  note: string;
  createdAt: number;
}

/**
 * Signs a checkpoint for the current tree size unless the latest one already covers it, and refuses (HistoryRewritten,
 * an IntegrityFailure) a tree that does not extend the last one signed. Safe to call from a timer and on demand at once.
 */
export async function issueCheckpoint(services: Pick<Platform, 'database'> & { checkpointIssuer: CheckpointIssuer }): Promise<Checkpoint> {
  const head = await services.checkpointIssuer.issue();
  return withCosignatures(services, { size: head.size, rootHash: head.rootHash, note: head.note, createdAt: head.signedAt });
}

/** The newest checkpoint the log's key signed, as its note states it; tampered rows are reported and skipped. */
export async function latestCheckpoint(services: CheckpointReaders): Promise<Checkpoint> {
  const { checkpoint, stored } = await newestVerifiedCheckpoint(services);
  if (checkpoint) return withCosignatures(services, checkpoint);
  if (stored) throw new IntegrityFailure("No stored checkpoint carries a valid signature by the log's key over what its row says; the checkpoints were tampered with");
  throw new NotFound('The log has no checkpoint yet');
}

/** The checkpoint of exactly `size`, or the newest one not larger than it (only ones the log's key signed). */
export async function checkpointAtOrBefore(services: CheckpointReaders, size: number): Promise<Checkpoint> {
  const { checkpoint } = await newestVerifiedCheckpoint(services, size);
  if (!checkpoint) throw new NotFound(`No checkpoint at or before tree size ${size}`);
  return withCosignatures(services, checkpoint);
}

/** The checkpoint of exactly `size`; undefined when there is none, or when its row is not what the log signed. */
export async function checkpointAt(services: CheckpointReaders, size: number): Promise<Checkpoint | undefined> {
  const checkpoint = await verifiedCheckpointAt(services, size);
  return checkpoint && withCosignatures(services, checkpoint);
}

/**
 * Every checkpoint row exactly as stored, columns and note, unverified: for auditors that check each row against its
 * own note (the log self-check). Anything served or signed reads through the verified functions above instead.
 */
export async function allCheckpoints(services: Pick<Platform, 'database'>): Promise<Array<{ size: number; rootHash: Uint8Array; note: string }>> {
  const rows = await services.database.db.select().from(logCheckpoints).orderBy(asc(logCheckpoints.size));
  return rows.map((r) => ({ size: r.size, rootHash: new Uint8Array(r.rootHash), note: r.note }));
}

/** Appends the collected cosignature lines to the note, as C2SP tlog-cosignature prescribes (extra signature lines). */
async function withCosignatures(services: Pick<Platform, 'database'>, checkpoint: Checkpoint): Promise<Checkpoint> {
  const lines = await services.database.db
    .select({ line: cosignatures.line })
    .from(cosignatures)
    .where(eq(cosignatures.checkpointSize, checkpoint.size))
    .orderBy(asc(cosignatures.witnessId));
  if (lines.length === 0) return checkpoint;
  return { ...checkpoint, note: checkpoint.note + lines.map((l) => `${l.line}\n`).join('') };
}
