/**
 * @module Randomness from WebCrypto, and libsodium's sealed box built on it. libsodium.js on Node draws its
 * randomness four bytes per call through crypto.randomBytes (≈ 56 µs for one 24-byte nonce, a third of what
 * sealing a message cost); `crypto.getRandomValues` (browsers, Node, Workers) fills any buffer in one call.
 */
import { concatBytes } from './bytes';
import { sodiumLoaded } from './sodium';

/** Cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * `crypto_box_seal(message, recipientPublicKey)`, assembled from libsodium's parts exactly as libsodium assembles
 * it — a fresh ephemeral X25519 key pair, nonce = BLAKE2b-192(ephemeral pk ‖ recipient pk), output = ephemeral
 * pk ‖ crypto_box_easy(message) — so `crypto_box_seal_open` opens it unchanged. Only the ephemeral key's seed
 * comes from {@link randomBytes}. Call after sodiumReady().
 */
export function sealTo(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const sodium = sodiumLoaded();
  const ephemeral = sodium.crypto_box_seed_keypair(randomBytes(sodium.crypto_box_SEEDBYTES));
  const nonce = sodium.crypto_generichash(sodium.crypto_box_NONCEBYTES, concatBytes(ephemeral.publicKey, recipientPublicKey), null);
  const boxed = sodium.crypto_box_easy(message, nonce, recipientPublicKey, ephemeral.privateKey);
  sodium.memzero(ephemeral.privateKey);
  return concatBytes(ephemeral.publicKey, boxed);
}
