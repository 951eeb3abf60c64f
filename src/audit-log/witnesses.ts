/** @module Witnesses (C2SP tlog-cosignature): registered Ed25519 keys whose cosignatures are collected on checkpoints. */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import { checkpointAt } from './checkpoints';
import type { LogWriter } from './logWriter';
import { cosignatures, witnesses } from './tables';
import { parseCheckpoint, parseVerifierKey, verifyCosignature, witnessVerifierKey, type NoteVerifier } from './tlog';

export interface Witness {
  id: string;
  name: string;
  /** The witness's verifier key in C2SP signed-note vkey form. */
  verifierKey: string;
  createdAt: number;
}

export async function listWitnesses({ database }: Pick<Platform, 'database'>): Promise<Witness[]> {
  const rows = await database.db.select().from(witnesses).where(isNull(witnesses.revokedAt)).orderBy(asc(witnesses.name));
  return rows.map((w) => ({ id: w.id, name: w.name, verifierKey: witnessVerifierKey(w.name, new Uint8Array(w.publicKey)), createdAt: w.createdAt }));
}

export async function registerWitness(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter },
  input: { verifierKey: string; actor: Actor },
): Promise<Witness> {
  let parsed: { name: string; publicKey: Uint8Array };
  try {
    parsed = parseVerifierKey(input.verifierKey);
  } catch (error) {
    throw new Invalid(`Not a valid Ed25519 verifier key: ${(error as Error).message}`, 'verifierKey');
  }
  const [existing] = await services.database.db.select().from(witnesses).where(eq(witnesses.name, parsed.name));
  if (existing) throw new Conflict(`A witness named ${parsed.name} is already registered`, 'verifierKey');
  const witness = { id: crypto.randomUUID(), name: parsed.name, publicKey: parsed.publicKey, createdAt: services.clock.now() };
  await services.logWriter.commit(
    [{ type: 'witness.registered', actor: { userId: input.actor.userId, role: input.actor.role }, subject: { witnessId: witness.id }, details: { name: parsed.name } }],
    [services.database.db.insert(witnesses).values(witness)],
  );
  return { id: witness.id, name: witness.name, verifierKey: witnessVerifierKey(witness.name, parsed.publicKey), createdAt: witness.createdAt };
}

/**
 * Accepts a witness's cosignature line for a checkpoint the log issued. The line must verify under a
 * registered witness key over exactly that checkpoint's body; a witness cannot go back to an older size.
 */
export async function acceptCosignature(
  services: Pick<Platform, 'database' | 'clock'> & { logSigner: NoteVerifier },
  input: { checkpointSize: number; signatureLine: string },
): Promise<{ witness: string; timestamp: number }> {
  const { database, clock } = services;
  const checkpoint = await checkpointAt(services, input.checkpointSize);
  if (!checkpoint) throw new NotFound(`The log issued no checkpoint of size ${input.checkpointSize}`, 'checkpointSize');
  const name = /^— (\S+) /.exec(input.signatureLine)?.[1];
  if (!name) throw new Invalid('The signature line must look like "— <witness name> <base64 signature>"', 'signatureLine');
  const [witness] = await database.db.select().from(witnesses).where(and(eq(witnesses.name, name), isNull(witnesses.revokedAt)));
  if (!witness) throw new NotFound(`No registered witness is named ${name}`, 'signatureLine');
  const body = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
  parseCheckpoint(body);
  const timestamp = await verifyCosignature(body, input.signatureLine, new Uint8Array(witness.publicKey), witness.name);
  if (timestamp === undefined) throw new Invalid(`The cosignature by ${name} does not verify for checkpoint ${input.checkpointSize}`, 'signatureLine');
  const [last] = await database.db
    .select({ size: cosignatures.checkpointSize })
    .from(cosignatures)
    .where(eq(cosignatures.witnessId, witness.id))
    .orderBy(desc(cosignatures.checkpointSize))
    .limit(1);
  if (last && last.size > input.checkpointSize) {
    throw new Conflict(`${name} already cosigned the larger tree size ${last.size}; cosignatures only move forward`, 'checkpointSize');
  }
  await database.batch([
    database.db
      .insert(cosignatures)
      .values({ witnessId: witness.id, checkpointSize: input.checkpointSize, timestamp, line: input.signatureLine, createdAt: clock.now() })
      .onConflictDoUpdate({ target: [cosignatures.witnessId, cosignatures.checkpointSize], set: { timestamp, line: input.signatureLine } }),
  ]);
  return { witness: name, timestamp };
}
