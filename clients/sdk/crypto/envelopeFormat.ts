/** @module Envelope v1 on the wire: its fields, the exact bytes that are authenticated, and validation of received JSON. */
import { canonicalBytes } from './bytes';
import { EnvelopeError } from './errors';
import { sodiumLoaded, unb64 } from './sodium';

export interface EnvelopeV1 {
  v: 1;
  conversationId: string;
  /** 16 random bytes, base64url (22 characters); unique per message, the replay-detection key. */
  messageId: string;
  senderDeviceId: string;
  /** Milliseconds since the epoch on the sender's clock: signed, but only as trustworthy as that clock. */
  sentAt: number;
  /** 24 bytes, base64url. */
  nonce: string;
  /** XChaCha20-Poly1305-IETF(plaintext, contentKey, nonce, AD = headerBytes), base64url. */
  ciphertext: string;
  /** crypto_box_seal(contentKey, recipient's X25519 key) per device, sorted by deviceId ascending, no duplicates. */
  keys: { deviceId: string; wrapped: string }[];
  /** Ed25519 detached signature over signedBytes, base64url. */
  signature: string;
}

export const ENVELOPE_CONTEXT = 'exigent-envelope-v1\n';
export const MESSAGE_ID_BYTES = 16;

/** The AEAD's associated data: binds the ciphertext to its conversation, message id, sender and time. */
export function headerBytes(e: Pick<EnvelopeV1, 'v' | 'conversationId' | 'messageId' | 'senderDeviceId' | 'sentAt'>): Uint8Array {
  const { v, conversationId, messageId, senderDeviceId, sentAt } = e;
  return canonicalBytes({ v, conversationId, messageId, senderDeviceId, sentAt });
}

/** What the sender signs: every field but the signature, so no part of an envelope can change unnoticed. */
export function signedBytes(e: Omit<EnvelopeV1, 'signature'>): Uint8Array {
  const { v, conversationId, messageId, senderDeviceId, sentAt, nonce, ciphertext, keys } = e;
  // Rebuilt field by field so a stray property on the argument (or in a key entry) can never leak into the signed bytes.
  const entries = keys.map(({ deviceId, wrapped }) => ({ deviceId, wrapped }));
  return canonicalBytes({ v, conversationId, messageId, senderDeviceId, sentAt, nonce, ciphertext, keys: entries }, ENVELOPE_CONTEXT);
}

const FIELDS = ['v', 'conversationId', 'messageId', 'senderDeviceId', 'sentAt', 'nonce', 'ciphertext', 'keys', 'signature'];
const KEY_FIELDS = ['deviceId', 'wrapped'];

function malformed(message: string): never {
  throw new EnvelopeError('malformed', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Unknown fields are refused rather than ignored: the signature covers exactly the fields we know, so anything
// else would be unauthenticated data riding along.
function exactFields(value: Record<string, unknown>, fields: string[], what: string): void {
  const extra = Object.keys(value).find((k) => !fields.includes(k));
  if (extra !== undefined) malformed(`${what} has unknown field "${extra}"`);
}

function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') malformed(`${what} must be a non-empty string`);
  return value;
}

function base64Field(value: unknown, what: string, length: { exactly: number } | { atLeast: number }): string {
  if (typeof value !== 'string') malformed(`${what} must be a base64url string`);
  let size: number;
  try {
    size = unb64(value).length;
  } catch {
    malformed(`${what} is not base64url without padding`);
  }
  if ('exactly' in length ? size !== length.exactly : size < length.atLeast) {
    malformed(`${what} must be ${'exactly' in length ? `${length.exactly}` : `at least ${length.atLeast}`} bytes, got ${size}`);
  }
  return value;
}

function parseKeys(value: unknown, wrappedLength: number): EnvelopeV1['keys'] {
  if (!Array.isArray(value) || value.length === 0) malformed('keys must be a non-empty array');
  const keys = value.map((entry: unknown, i) => {
    if (!isRecord(entry)) malformed(`keys[${i}] must be an object`);
    exactFields(entry, KEY_FIELDS, `keys[${i}]`);
    return {
      deviceId: nonEmptyString(entry.deviceId, `keys[${i}].deviceId`),
      wrapped: base64Field(entry.wrapped, `keys[${i}].wrapped`, { exactly: wrappedLength }),
    };
  });
  // Strictly ascending (JavaScript string order, as in JCS) gives one canonical encoding and rules out duplicates.
  keys.forEach((key, i) => {
    const previous = keys[i - 1];
    if (previous && !(previous.deviceId < key.deviceId)) malformed('keys must be sorted by deviceId without duplicates');
  });
  return keys;
}

/**
 * The version is read first so a newer envelope is reported as 'unsupported_version', not as malformed v1.
 * Call after sodiumReady().
 */
export function parseEnvelope(value: unknown): EnvelopeV1 {
  if (!isRecord(value)) malformed('envelope must be a JSON object');
  if (typeof value.v !== 'number' || !Number.isSafeInteger(value.v) || value.v < 1) malformed('v must be a positive integer');
  if (value.v !== 1) throw new EnvelopeError('unsupported_version', `envelope version ${value.v} is not supported (this client reads v1)`);
  exactFields(value, FIELDS, 'envelope');
  const sodium = sodiumLoaded();
  const { sentAt } = value;
  if (typeof sentAt !== 'number' || !Number.isSafeInteger(sentAt) || sentAt < 0) malformed('sentAt must be a non-negative integer');
  return {
    v: 1,
    conversationId: nonEmptyString(value.conversationId, 'conversationId'),
    messageId: base64Field(value.messageId, 'messageId', { exactly: MESSAGE_ID_BYTES }),
    senderDeviceId: nonEmptyString(value.senderDeviceId, 'senderDeviceId'),
    sentAt,
    nonce: base64Field(value.nonce, 'nonce', { exactly: sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES }),
    ciphertext: base64Field(value.ciphertext, 'ciphertext', { atLeast: sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES }),
    keys: parseKeys(value.keys, sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES + sodium.crypto_box_SEALBYTES),
    signature: base64Field(value.signature, 'signature', { exactly: sodium.crypto_sign_BYTES }),
  };
}
