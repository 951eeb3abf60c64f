/**
 * @module The verifiable export: JSON Lines with the checkpoint, an optional consistency proof from an
 * earlier size, each entry with its inclusion proof against that checkpoint, and — when the range starts after
 * them — the `passkey.added` / `passkey.revoked` entries of the passkeys that signed its justifications, so that
 * `verify-log` can re-verify every signature offline from the export alone.
 */
import { and, asc, inArray, lt } from 'drizzle-orm';
import { Invalid } from '../errors';
import type { CheckpointReaders } from './storedCheckpoints';
import { latestCheckpoint } from './checkpoints';
import type { LogWriter } from './logWriter';
import { proveConsistency, proveInclusion, readEntries } from './readEntries';
import { logEntries } from './tables';

export type ExportLine =
  | { kind: 'checkpoint'; size: number; note: string }
  | { kind: 'consistency'; fromSize: number; toSize: number; proof: string[] }
  | { kind: 'entry'; index: number; data: string; inclusionProof: string[] }
  /** An entry before the range that a justification in it needs: the signing passkey's addition or revocation. */
  | { kind: 'passkey'; index: number; data: string; inclusionProof: string[] };

const PASSKEY_EVENTS = ['passkey.added', 'passkey.revoked'];

export async function* exportLog(
  services: CheckpointReaders & { logWriter: LogWriter },
  input: { from: number; to?: number; previousSize?: number },
): AsyncGenerator<ExportLine> {
  const checkpoint = await latestCheckpoint(services);
  const to = Math.min(input.to ?? checkpoint.size, checkpoint.size);
  if (input.from > to) throw new Invalid(`"from" (${input.from}) is beyond the checkpointed size ${checkpoint.size}`, 'from');
  // Checked before the first line: once streaming has begun, an error can no longer become a problem response.
  if (input.previousSize !== undefined && input.previousSize > checkpoint.size) {
    throw new Invalid(`"previous" (${input.previousSize}) is beyond the checkpointed size ${checkpoint.size}`, 'previous');
  }
  yield { kind: 'checkpoint', size: checkpoint.size, note: checkpoint.note };
  if (input.previousSize !== undefined) {
    const { proof } = await proveConsistency(services, { fromSize: input.previousSize, toSize: checkpoint.size });
    yield { kind: 'consistency', fromSize: input.previousSize, toSize: checkpoint.size, proof };
  }
  const signingCredentials = new Set<string>();
  for (let page = input.from; page < to; page += 500) {
    for (const entry of await readEntries(services, { from: page, to: Math.min(page + 500, to) })) {
      const { proof } = await proveInclusion(services, { index: entry.index, treeSize: checkpoint.size });
      yield { kind: 'entry', index: entry.index, data: entry.data, inclusionProof: proof };
      const credentialId = entry.type === 'urgent_contact.opened' ? credentialIn(entry.data, 'opening') : undefined;
      if (credentialId !== undefined) signingCredentials.add(credentialId);
    }
  }
  if (input.from === 0 || signingCredentials.size === 0) return;
  // Passkeys are few next to entries: read them all before the range, keep those that signed in it.
  const passkeyEntries = await services.database.db
    .select({ index: logEntries.idx, data: logEntries.data })
    .from(logEntries)
    .where(and(lt(logEntries.idx, input.from), inArray(logEntries.type, PASSKEY_EVENTS)))
    .orderBy(asc(logEntries.idx));
  for (const entry of passkeyEntries) {
    const credentialId = credentialIn(entry.data, 'passkey');
    if (credentialId === undefined || !signingCredentials.has(credentialId)) continue;
    const { proof } = await proveInclusion(services, { index: entry.index, treeSize: checkpoint.size });
    yield { kind: 'passkey', index: entry.index, data: entry.data, inclusionProof: proof };
  }
}

/**
 * The credential an opening's assertion names (src/urgent/openUrgentContact.ts), or a passkey leaf's subject. An
 * edited row that no longer parses is exported as it is: its inclusion proof fails in the verifier, not the export.
 */
function credentialIn(data: string, leaf: 'opening' | 'passkey'): string | undefined {
  try {
    const parsed = JSON.parse(data) as { subject?: { credentialId?: unknown }; details?: { assertion?: { credentialId?: unknown } } };
    const id = leaf === 'opening' ? parsed.details?.assertion?.credentialId : parsed.subject?.credentialId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
