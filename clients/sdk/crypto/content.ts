/** @module What the plaintext of an envelope means: UTF-8 JSON of a small tagged union, validated on the way in. */
import { utf8 } from './bytes';
import { EnvelopeError } from './errors';

/** Points at an encrypted blob on the server; the key travels only inside the envelope, so only recipients can read the blob. */
export interface AttachmentRef {
  blobId: string;
  /** 32-byte XChaCha20-Poly1305 key, base64url; the nonce is the blob's first 24 bytes. */
  key: string;
  name: string;
  mediaType: string;
  /** Plaintext size in bytes. */
  size: number;
  /** BLAKE2b-256 of the encrypted blob, base64url: the downloaded blob must match it. */
  digest: string;
}

export interface TextContent {
  type: 'text';
  text: string;
  attachments?: AttachmentRef[];
}

/** Tells the sender's and the reader's other devices which messages this user has read. */
export interface ReadReceipt {
  type: 'read';
  messageIds: string[];
}

export type MessageContent = TextContent | ReadReceipt;

// 32 bytes and 16 bytes as unpadded base64url: 43 and 22 characters. Checked by shape here so decoding
// content needs no libsodium; decryptAttachment decodes the key properly.
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
const MESSAGE_ID_TEXT = /^[A-Za-z0-9_-]{22}$/;

export function encodeContent(content: MessageContent): Uint8Array {
  return utf8(JSON.stringify(content));
}

function malformed(message: string): never {
  throw new EnvelopeError('malformed', `message content: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') malformed(`${what} must be a string`);
  return value;
}

function attachment(value: unknown, i: number): AttachmentRef {
  if (!isRecord(value)) malformed(`attachments[${i}] must be an object`);
  const { blobId, key, name, mediaType, size, digest } = value;
  if (typeof blobId !== 'string' || blobId === '') malformed(`attachments[${i}].blobId must be a non-empty string`);
  if (typeof key !== 'string' || !KEY_TEXT.test(key)) malformed(`attachments[${i}].key must be a 32-byte base64url key`);
  if (typeof digest !== 'string' || !KEY_TEXT.test(digest)) malformed(`attachments[${i}].digest must be a 32-byte base64url digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    malformed(`attachments[${i}].size must be a non-negative integer`);
  }
  return {
    blobId,
    key,
    name: text(name, `attachments[${i}].name`),
    mediaType: text(mediaType, `attachments[${i}].mediaType`),
    size,
    digest,
  };
}

/** Returns only the known fields, so nothing unvalidated reaches the UI. */
export function decodeContent(bytes: Uint8Array): MessageContent {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    malformed('not UTF-8 JSON');
  }
  if (!isRecord(value)) malformed('must be a JSON object');
  switch (value.type) {
    case 'text': {
      const content: TextContent = { type: 'text', text: text(value.text, 'text') };
      if (value.attachments !== undefined) {
        if (!Array.isArray(value.attachments)) malformed('attachments must be an array');
        content.attachments = value.attachments.map(attachment);
      }
      return content;
    }
    case 'read': {
      const { messageIds } = value;
      if (!Array.isArray(messageIds) || !messageIds.every((id) => typeof id === 'string' && MESSAGE_ID_TEXT.test(id))) {
        malformed('messageIds must be an array of message ids');
      }
      return { type: 'read', messageIds };
    }
    default:
      malformed(`unknown type ${JSON.stringify(value.type)}`);
  }
}
