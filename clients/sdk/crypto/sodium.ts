/** @module Loading libsodium once, and the base64url text encoding every key, nonce and ciphertext uses on the wire. */
import sodium from 'libsodium-wrappers';
import { EnvelopeError } from './errors';

let loaded = false;
let loading: Promise<typeof sodium> | undefined;

/**
 * Resolves once the WebAssembly module is initialised; every crypto entry point awaits this first. The type is
 * the default export: libsodium's ESM build puts the crypto functions only there, not on the namespace.
 */
export async function sodiumReady(): Promise<typeof sodium> {
  loading ??= sodium.ready.then(() => {
    loaded = true;
    return sodium;
  });
  return loading;
}

/**
 * The module for synchronous code that runs after sodiumReady(). Before `ready`, libsodium fails with an opaque
 * TypeError that unb64 would misreport as bad input, so this names the real mistake instead.
 */
export function sodiumLoaded(): typeof sodium {
  if (!loaded) throw new Error('libsodium is not initialised: await sodiumReady() first');
  return sodium;
}

/** Base64url without padding (RFC 4648 §5), the encoding of all binary fields. */
export function b64(bytes: Uint8Array): string {
  const s = sodiumLoaded();
  return s.to_base64(bytes, s.base64_variants.URLSAFE_NO_PADDING);
}

/**
 * Inverse of b64. libsodium rejects padding, other alphabets and non-zero trailing bits, so each byte string
 * has exactly one text form.
 */
export function unb64(text: string): Uint8Array {
  const s = sodiumLoaded();
  try {
    return s.from_base64(text, s.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new EnvelopeError('malformed', 'malformed base64');
  }
}

/** unb64 for fixed-size values (keys, nonces, signatures): a wrong length fails here, by name, not deep in libsodium. */
export function unb64Exact(text: string, length: number, what: string): Uint8Array {
  const bytes = unb64(text);
  if (bytes.length !== length) throw new EnvelopeError('malformed', `${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}
