/**
 * @module One round of an independent witness (run by an NCB or the compliance office): fetch the log's
 * latest checkpoint, check its signature and its consistency with the last checkpoint this witness
 * cosigned, then cosign and submit. It never cosigns a checkpoint inconsistent with one it already cosigned.
 */
import { fromBase64 } from '../../../src/crypto/base64url';
import { cosignCheckpoint, equalBytes, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, type NoteSigner } from '../../../src/audit-log/tlog';
import { toBase64 } from '../../../src/crypto/base64url';

export interface WitnessState {
  size: number;
  /** base64 root hash of the last cosigned checkpoint. */
  rootHash: string;
}

export interface WitnessRound {
  outcome: 'cosigned' | 'unchanged' | 'refused';
  detail: string;
  state: WitnessState | undefined;
}

export async function witnessOnce(options: {
  url: string;
  origin: string;
  logKey: string;
  witness: NoteSigner;
  state: WitnessState | undefined;
  now?: () => number;
}): Promise<WitnessRound> {
  const logKey = parseVerifierKey(options.logKey);
  const res = await fetch(new URL('/api/v1/log/checkpoint', options.url));
  if (!res.ok) throw new Error(`fetching the checkpoint failed: HTTP ${res.status}`);
  const note = await res.text();
  const refuse = (detail: string): WitnessRound => ({ outcome: 'refused', detail, state: options.state });

  let body: string;
  try {
    body = (await openNote(note, logKey)).text;
  } catch (error) {
    return refuse(`checkpoint signature: ${(error as Error).message}`);
  }
  const checkpoint = parseCheckpoint(body);
  const last = options.state;
  if (last) {
    const lastRoot = fromBase64(last.rootHash);
    if (checkpoint.size < last.size) return refuse(`the log went back from size ${last.size} to ${checkpoint.size}`);
    if (checkpoint.size === last.size) {
      if (!equalBytes(checkpoint.rootHash, lastRoot)) return refuse(`fork: size ${last.size} now has a different root`);
    } else {
      const proofRes = await fetch(new URL(`/api/v1/log/consistency?from=${last.size}&to=${checkpoint.size}`, options.url));
      if (!proofRes.ok) return refuse(`no consistency proof from ${last.size} to ${checkpoint.size}: HTTP ${proofRes.status}`);
      const { proof } = (await proofRes.json()) as { proof: string[] };
      const consistent = verifyConsistency({ oldSize: last.size, newSize: checkpoint.size, oldRoot: lastRoot, newRoot: checkpoint.rootHash, proof: proof.map(fromBase64) });
      if (!consistent) return refuse(`fork: checkpoint ${checkpoint.size} is not consistent with the cosigned checkpoint ${last.size}`);
    }
  }
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  const signatureLine = await cosignCheckpoint(body, options.witness, timestamp);
  const submit = await fetch(new URL('/api/v1/log/cosignatures', options.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: options.origin },
    body: JSON.stringify({ checkpointSize: checkpoint.size, signatureLine }),
  });
  if (!submit.ok) throw new Error(`the log refused the cosignature: HTTP ${submit.status} ${await submit.text()}`);
  const state = { size: checkpoint.size, rootHash: toBase64(checkpoint.rootHash) };
  return { outcome: last && last.size === checkpoint.size ? 'unchanged' : 'cosigned', detail: `cosigned size ${checkpoint.size}`, state };
}
