/**
 * @module Out-of-band identity checks: device fingerprints, safety numbers two users compare in person or by
 * phone, and trust-on-first-use tracking that warns when a user's set of device keys changes.
 */
import { concatBytes, utf8 } from './bytes';
import { sodiumReady, unb64Exact } from './sodium';

const SAFETY_CONTEXT = 'exigent-safety-v1\n';
const IDENTITY_KEY_BYTES = 32;

function grouped(text: string, size: number): string {
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += size) groups.push(text.slice(i, i + size));
  return groups.join(' ');
}

/** BLAKE2b-256 of the raw Ed25519 key; its first 16 bytes as 8 groups of 4 uppercase hex digits. */
export async function deviceFingerprint(identityKey: string): Promise<string> {
  const sodium = await sodiumReady();
  const hash = sodium.crypto_generichash(32, unb64Exact(identityKey, IDENTITY_KEY_BYTES, 'identity key'), null);
  return grouped(sodium.to_hex(hash.subarray(0, 16)).toUpperCase(), 4);
}

// 30 decimal digits committing to one user's id and complete set of device identity keys. Keys are fixed-size,
// so their concatenation is unambiguous; sorting and de-duplicating make it independent of listing order.
async function userDigits(user: { userId: string; identityKeys: string[] }): Promise<string> {
  const sodium = await sodiumReady();
  const keys = [...new Set(user.identityKeys)].sort().map((k) => unb64Exact(k, IDENTITY_KEY_BYTES, 'identity key'));
  const hash = sodium.crypto_generichash(32, concatBytes(utf8(`${SAFETY_CONTEXT}${user.userId}\n`), ...keys), null);
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    // A 40-bit big-endian integer fits exactly in a double, so plain arithmetic is safe.
    const value = hash.subarray(chunk * 5, chunk * 5 + 5).reduce((n, byte) => n * 256 + byte, 0);
    digits += String(value % 100_000).padStart(5, '0');
  }
  return digits;
}

/**
 * 60 digits in 12 groups of 5, the same on both sides: each user's 30 digits, ordered by userId. Equal numbers
 * mean both users see the same device keys for each other, so the server has not slipped in a device.
 */
export async function safetyNumber(
  a: { userId: string; identityKeys: string[] },
  b: { userId: string; identityKeys: string[] },
): Promise<string> {
  const [digitsA, digitsB] = await Promise.all([userDigits(a), userDigits(b)]);
  // Ties on userId (a user checking their own devices) fall back to the digits, keeping the result symmetric.
  const aFirst = a.userId < b.userId || (a.userId === b.userId && digitsA <= digitsB);
  return grouped(aFirst ? digitsA + digitsB : digitsB + digitsA, 5);
}

export interface KeyChange {
  userId: string;
  added: string[];
  removed: string[];
}

/**
 * Trust on first use: remembers each user's set of device identity keys and reports any change, which the UI
 * shows as a warning until the users compare safety numbers again. Persist it with toJSON().
 */
export class KeyTracker {
  readonly #known = new Map<string, Set<string>>();

  constructor(initial: Record<string, string[]> = {}) {
    for (const [userId, keys] of Object.entries(initial)) this.#known.set(userId, new Set(keys));
  }

  /** Undefined when the user is new or unchanged; otherwise the difference, after which the new set is remembered. */
  observe(userId: string, identityKeys: string[]): KeyChange | undefined {
    const next = new Set(identityKeys);
    const previous = this.#known.get(userId);
    this.#known.set(userId, next);
    if (!previous) return undefined;
    const added = [...next].filter((k) => !previous.has(k)).sort();
    const removed = [...previous].filter((k) => !next.has(k)).sort();
    return added.length > 0 || removed.length > 0 ? { userId, added, removed } : undefined;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.#known].map(([userId, keys]) => [userId, [...keys].sort()]));
  }
}
