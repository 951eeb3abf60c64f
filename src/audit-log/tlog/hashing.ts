/** @module RFC 9162 §2.1.1 Merkle hashing: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right). */
import { sha256Sync } from '../../crypto/sha256';

// Synchronous SHA-256 (see crypto/sha256) is what makes 1M-leaf verification fast.
const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** A string is hashed as its UTF-8 bytes (saves an encode per leaf when verifying a million of them). */
export function leafHash(data: Uint8Array | string): Uint8Array {
  return sha256Sync(LEAF_PREFIX, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Sync(NODE_PREFIX, left, right);
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return sha256Sync();
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
