/**
 * @module SHA-256 helpers. node:crypto's synchronous hash (also on Workers with nodejs_compat, as the Merkle log
 * already relies on): WebCrypto's digest costs a thread-pool round trip per call, and this runs on every request.
 */
import { createHash } from 'node:crypto';

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return createHash('sha256').update(data).digest('hex');
}
