/** @module Ed25519 signing and fail-closed verification with WebCrypto (Node ≥ 20 and Workers alike). */
import { toBase64 } from './base64url';

const ED25519 = { name: 'Ed25519' } as const;

export async function ed25519Sign(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, message as Uint8Array<ArrayBuffer>));
}

// Imported verification keys, by their bytes: the same few device keys verify every message they send.
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 2000;

function importVerifyKey(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = toBase64(publicKey);
  let key = importedKeys.get(id);
  if (!key) {
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.delete(importedKeys.keys().next().value!);
    key = crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ED25519, false, ['verify']);
    importedKeys.set(id, key);
    key.catch(() => importedKeys.delete(id));
  }
  return key;
}

/** False, never an exception, for a malformed key or signature: callers treat every failure the same. */
export async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(ED25519, await importVerifyKey(publicKey), signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

/**
 * Ed25519 verification as a service, for hot paths where a runtime can do better than one WebCrypto call each
 * (on Node: a worker thread verifying in batches, see runtime/node/workerEd25519Verifier). The portable one is
 * `{ verify: ed25519Verify }`.
 */
export interface Ed25519Verifier {
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
}
