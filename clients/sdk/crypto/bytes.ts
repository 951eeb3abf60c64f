/** @module Byte helpers shared by the signed and hashed encodings: UTF-8, concatenation and JCS (RFC 8785) canonical JSON. */
import canonicalize from 'canonicalize';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * UTF-8 of `context + JCS(value)`. Signatures and AEAD associated data are computed over these bytes, so
 * sender and recipient must agree on them exactly; the context string keeps a signature made for one
 * purpose from being valid for another.
 */
export function canonicalBytes(value: unknown, context = ''): Uint8Array {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value has no JSON representation');
  return utf8(context + json);
}
