/** @module Encrypting attachment files into opaque blobs for upload, and decrypting downloaded ones. */
import { concatBytes, utf8 } from './bytes';
import { EnvelopeError } from './errors';
import { randomBytes } from './sealedBox';
import { b64, sodiumReady, unb64Exact } from './sodium';

/** AEAD associated data for blobs, so a blob can never be passed off as an envelope ciphertext or vice versa. */
export const BLOB_CONTEXT = 'exigent-blob-v1';

/** BLAKE2b-256 of the blob, base64url: commits the sender to these exact bytes. */
export async function blobDigest(blob: Uint8Array): Promise<string> {
  const sodium = await sodiumReady();
  return b64(sodium.crypto_generichash(32, blob, null));
}

/**
 * blob = nonce (24 bytes) ‖ XChaCha20-Poly1305-IETF ciphertext. The key and the digest go into the message's
 * AttachmentRef; the digest stops a member who knows the key from swapping the blob on the server afterwards.
 */
export async function encryptAttachment(data: Uint8Array): Promise<{ key: string; blob: Uint8Array; digest: string }> {
  const sodium = await sodiumReady();
  const key = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  const nonce = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(data, utf8(BLOB_CONTEXT), null, nonce, key);
  const blob = concatBytes(nonce, ciphertext);
  return { key: b64(key), blob, digest: await blobDigest(blob) };
}

export async function decryptAttachment(blob: Uint8Array, key: string, digest?: string): Promise<Uint8Array> {
  const sodium = await sodiumReady();
  if (digest !== undefined && (await blobDigest(blob)) !== digest) {
    throw new EnvelopeError('decrypt_failed', 'attachment blob is not the one the sender attached');
  }
  const keyBytes = unb64Exact(key, sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES, 'attachment key');
  const nonceLength = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (blob.length < nonceLength + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    throw new EnvelopeError('decrypt_failed', 'attachment blob is too short');
  }
  const nonce = blob.subarray(0, nonceLength);
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, blob.subarray(nonceLength), utf8(BLOB_CONTEXT), nonce, keyBytes);
  } catch {
    throw new EnvelopeError('decrypt_failed', 'attachment blob was altered or does not match its key');
  }
}
