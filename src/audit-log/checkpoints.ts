/** @module Signed tree heads: issues C2SP checkpoints for new tree sizes and serves them with every witness cosignature attached. */
import { asc, desc, eq, lte } from 'drizzle-orm';
import { NotFound } from '../errors';
import type { Platform } from '../platform';
import type { LogSigner } from './logSigner';
import type { LogWriter } from './logWriter';
import { databaseNodeReader } from './nodeStore';
import { cosignatures, logCheckpoints } from './tables';
import { formatCheckpoint, rootAt, signNote } from './tlog';

export interface Checkpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note: checkpoint body, a blank line, the log's signature and any witness cosignatures. */
  note: string;
  createdAt: number;
}

type CheckpointServices = Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; logSigner: LogSigner };

/**
 * Signs a checkpoint for the current tree size unless the latest checkpoint already covers it.
 * Idempotent and safe to call from a timer and on demand at once: the size is the primary key.
 */
export async function issueCheckpoint(services: CheckpointServices): Promise<Checkpoint> {
  const { database, clock, logWriter, logSigner } = services;
  const size = await logWriter.size();
  const latest = await latestCheckpoint(services).catch(() => undefined);
  if (latest && latest.size >= size) return latest;
  const rootHash = await rootAt(size, databaseNodeReader(database));
  const body = formatCheckpoint({ origin: logSigner.name, size, rootHash });
  const note = await signNote(body, logSigner);
  const createdAt = clock.now();
  await database.batch([
    database.db.insert(logCheckpoints).values({ size, rootHash, note, createdAt }).onConflictDoNothing(),
  ]);
  return withCosignatures(services, { size, rootHash, note, createdAt });
}

export async function latestCheckpoint(services: Pick<Platform, 'database'>): Promise<Checkpoint> {
  const [row] = await services.database.db.select().from(logCheckpoints).orderBy(desc(logCheckpoints.size)).limit(1);
  if (!row) throw new NotFound('The log has no checkpoint yet');
  return withCosignatures(services, { size: row.size, rootHash: new Uint8Array(row.rootHash), note: row.note, createdAt: row.createdAt });
}

/** The checkpoint of exactly `size`, or the newest one not larger than it. */
export async function checkpointAtOrBefore(services: Pick<Platform, 'database'>, size: number): Promise<Checkpoint> {
  const [row] = await services.database.db
    .select()
    .from(logCheckpoints)
    .where(lte(logCheckpoints.size, size))
    .orderBy(desc(logCheckpoints.size))
    .limit(1);
  if (!row) throw new NotFound(`No checkpoint at or before tree size ${size}`);
  return withCosignatures(services, { size: row.size, rootHash: new Uint8Array(row.rootHash), note: row.note, createdAt: row.createdAt });
}

export async function checkpointAt(services: Pick<Platform, 'database'>, size: number): Promise<Checkpoint | undefined> {
  const [row] = await services.database.db.select().from(logCheckpoints).where(eq(logCheckpoints.size, size));
  return row && withCosignatures(services, { size: row.size, rootHash: new Uint8Array(row.rootHash), note: row.note, createdAt: row.createdAt });
}

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
