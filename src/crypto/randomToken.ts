/** @module Unguessable tokens from WebCrypto (256 bits, base64url), for sessions, enrolment links and nonces. */
import { toBase64Url } from './base64url';

/** 32 random bytes (256 bits) unless told otherwise; never fewer than 16 (128 bits). */
export function randomToken(bytes = 32): string {
  if (bytes < 16) throw new Error(`randomToken: at least 16 bytes required, got ${bytes}`);
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}
