/**
 * @module SHA-256 helpers — the one module that may import node:crypto. Its hash is synchronous, and Workers
 * provide it natively under the `nodejs_compat` flag: WebCrypto's digest is async and costs a thread-pool round
 * trip per call, too slow for the Merkle log (a hash per node, a million leaves in a verification) and for the
 * token hashing done on every request.
 */
import { createHash } from 'node:crypto';

/** SHA-256 of the concatenation of `parts` (strings as UTF-8), without concatenating them first. */
export function sha256Sync(...parts: ReadonlyArray<Uint8Array | string>): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return createHash('sha256').update(data).digest('hex');
}
