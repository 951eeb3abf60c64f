/**
 * @module Verifies the log's latest checkpoint in the browser with libsodium, independently of the server's own
 * word: the C2SP signed note must carry a valid Ed25519 signature by the log's published key.
 */
import { sodiumReady } from '../../sdk/crypto';

const SIGNATURE_PREFIX = '\u2014 ';

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export interface CheckpointVerdict {
  valid: boolean;
  size: number | null;
  rootHash: string | null;
  problem?: string;
}

export async function verifyCheckpointNote(note: string, key: { name: string; publicKey: string }): Promise<CheckpointVerdict> {
  const sodium = await sodiumReady();
  const split = note.indexOf('\n\n');
  if (split < 0) return { valid: false, size: null, rootHash: null, problem: 'not a signed note' };
  const text = note.slice(0, split + 1);
  const [, size, rootHash] = text.split('\n');
  const lines = note.slice(split + 2).split('\n').filter((l) => l.startsWith(SIGNATURE_PREFIX));
  const publicKey = fromBase64(key.publicKey);
  for (const line of lines) {
    const [name, signature] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name !== key.name || !signature) continue;
    const bytes = fromBase64(signature);
    if (bytes.length === 68 && sodium.crypto_sign_verify_detached(bytes.subarray(4), new TextEncoder().encode(text), publicKey)) {
      return { valid: true, size: Number(size), rootHash: rootHash ?? null };
    }
  }
  return { valid: false, size: Number(size), rootHash: rootHash ?? null, problem: `no valid signature by ${key.name}` };
}
