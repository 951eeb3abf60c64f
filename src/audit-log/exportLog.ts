/**
 * @module The verifiable export: JSON Lines with the checkpoint, an optional consistency proof from an
 * earlier size, and each entry with its inclusion proof against that checkpoint. `verify-log` checks it offline.
 */
import { Invalid } from '../errors';
import type { Platform } from '../platform';
import { latestCheckpoint } from './checkpoints';
import type { LogWriter } from './logWriter';
import { proveConsistency, proveInclusion, readEntries } from './readEntries';

export type ExportLine =
  | { kind: 'checkpoint'; size: number; note: string }
  | { kind: 'consistency'; fromSize: number; toSize: number; proof: string[] }
  | { kind: 'entry'; index: number; data: string; inclusionProof: string[] };

export async function* exportLog(
  services: Pick<Platform, 'database'> & { logWriter: LogWriter },
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
  for (let page = input.from; page < to; page += 500) {
    for (const entry of await readEntries(services, { from: page, to: Math.min(page + 500, to) })) {
      const { proof } = await proveInclusion(services, { index: entry.index, treeSize: checkpoint.size });
      yield { kind: 'entry', index: entry.index, data: entry.data, inclusionProof: proof };
    }
  }
}
