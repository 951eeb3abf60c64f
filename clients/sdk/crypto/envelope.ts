/** @module Sealing a message into an envelope v1 for a set of devices, and opening one as a recipient. */
import type { DeviceKeyPair } from './deviceKeys';
import { headerBytes, MESSAGE_ID_BYTES, parseEnvelope, signedBytes, type EnvelopeV1 } from './envelopeFormat';
import { EnvelopeError, type EnvelopeRejection } from './errors';
import { randomBytes, sealTo } from './sealedBox';
import { b64, sodiumLoaded, sodiumReady, unb64, unb64Exact } from './sodium';

export { ENVELOPE_CONTEXT, headerBytes, parseEnvelope, signedBytes, type EnvelopeV1 } from './envelopeFormat';

/** A device to encrypt for, as listed by the directory (whose registration the caller has verified). */
export interface RecipientDevice {
  deviceId: string;
  /** X25519 public key, base64url. */
  agreementKey: string;
}

/** A sending device, as the directory describes it. */
export interface SenderDevice {
  deviceId: string;
  userId: string;
  /** Ed25519 public key, base64url. */
  identityKey: string;
  revoked?: boolean;
}

/** 16 random bytes, base64url. Call after sodiumReady(). */
export function newMessageId(): string {
  return b64(randomBytes(MESSAGE_ID_BYTES));
}

// One key entry per device in canonical order. The same device twice with different keys means the caller's
// view of the directory is inconsistent, and silently picking one could encrypt to a key the device lacks.
function uniqueRecipients(recipients: RecipientDevice[]): RecipientDevice[] {
  const byId = new Map<string, RecipientDevice>();
  for (const r of recipients) {
    const known = byId.get(r.deviceId);
    if (known && known.agreementKey !== r.agreementKey) throw new Error(`recipient device ${r.deviceId} is listed with two different keys`);
    byId.set(r.deviceId, r);
  }
  return [...byId.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

/**
 * Encrypts `plaintext` once under a fresh content key and wraps that key for every recipient device. The caller
 * lists all devices that should read the message, including the sender's own other devices.
 */
export async function sealEnvelope(input: {
  conversationId: string;
  sender: { deviceId: string; keys: DeviceKeyPair };
  recipients: RecipientDevice[];
  plaintext: Uint8Array;
  messageId?: string;
  sentAt?: number;
}): Promise<EnvelopeV1> {
  const sodium = await sodiumReady();
  const recipients = uniqueRecipients(input.recipients);
  if (recipients.length === 0) throw new Error('an envelope needs at least one recipient device');
  const header = {
    v: 1 as const,
    conversationId: input.conversationId,
    messageId: input.messageId ?? newMessageId(),
    senderDeviceId: input.sender.deviceId,
    sentAt: input.sentAt ?? Date.now(),
  };
  const contentKey = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  const nonce = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(input.plaintext, headerBytes(header), null, nonce, contentKey);
  const keys = recipients.map(({ deviceId, agreementKey }) => {
    const publicKey = unb64Exact(agreementKey, sodium.crypto_box_PUBLICKEYBYTES, `agreement key of ${deviceId}`);
    return { deviceId, wrapped: b64(sealTo(contentKey, publicKey)) };
  });
  // Best effort only (JS may have copied it), but the key is not needed past this point.
  sodium.memzero(contentKey);
  const unsigned = { ...header, nonce: b64(nonce), ciphertext: b64(ciphertext), keys };
  const signature = b64(sodium.crypto_sign_detached(signedBytes(unsigned), input.sender.keys.identitySecret));
  // Refuse to hand out anything a recipient would reject as malformed (e.g. a caller-supplied messageId or sentAt).
  return parseEnvelope({ ...unsigned, signature });
}

function reject(reason: EnvelopeRejection, message: string): never {
  throw new EnvelopeError(reason, message);
}

function verifySignature(envelope: EnvelopeV1, sender: SenderDevice, sodium: ReturnType<typeof sodiumLoaded>): void {
  let identityKey: Uint8Array;
  try {
    identityKey = unb64Exact(sender.identityKey, sodium.crypto_sign_PUBLICKEYBYTES, 'identity key');
  } catch {
    // The directory's key is unusable, so nothing can vouch for this envelope.
    reject('bad_signature', `sender device ${sender.deviceId} has no valid identity key`);
  }
  const { signature, ...unsigned } = envelope;
  if (!sodium.crypto_sign_verify_detached(unb64(signature), signedBytes(unsigned), identityKey)) {
    reject('bad_signature', `signature of message ${envelope.messageId} does not verify with the key of device ${sender.deviceId}`);
  }
}

/**
 * Opens an envelope received for `expectedConversationId`. The signature is verified before anything is
 * decrypted, so tampered or forged input never reaches the decryption code. `lookupSender` should answer only
 * for devices of the conversation's current members. `seen` (per conversation or global) detects replays; the
 * message id is added only once the envelope has been fully accepted.
 */
export async function openEnvelope(input: {
  envelope: unknown;
  expectedConversationId: string;
  me: { deviceId: string; keys: DeviceKeyPair };
  lookupSender(deviceId: string): SenderDevice | undefined;
  seen?: { has(messageId: string): boolean; add(messageId: string): void };
}): Promise<{ envelope: EnvelopeV1; sender: SenderDevice; plaintext: Uint8Array }> {
  const sodium = await sodiumReady();
  const envelope = parseEnvelope(input.envelope);
  const { messageId } = envelope;
  if (envelope.conversationId !== input.expectedConversationId) {
    const expected = input.expectedConversationId;
    reject('wrong_conversation', `message ${messageId} belongs to conversation ${envelope.conversationId}, not ${expected}`);
  }
  const sender = input.lookupSender(envelope.senderDeviceId);
  if (!sender) reject('unknown_sender', `sender device ${envelope.senderDeviceId} is not known`);
  if (sender.revoked) reject('revoked_sender', `sender device ${envelope.senderDeviceId} has been revoked`);
  verifySignature(envelope, sender, sodium);
  if (input.seen?.has(messageId)) reject('duplicate', `message ${messageId} was already received`);
  const mine = envelope.keys.find((k) => k.deviceId === input.me.deviceId);
  if (!mine) reject('not_a_recipient', `message ${messageId} is not addressed to device ${input.me.deviceId}`);
  let contentKey: Uint8Array | undefined;
  let plaintext: Uint8Array;
  try {
    const { agreementPublic, agreementSecret } = input.me.keys;
    contentKey = sodium.crypto_box_seal_open(unb64(mine.wrapped), agreementPublic, agreementSecret);
    const ciphertext = unb64(envelope.ciphertext);
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, headerBytes(envelope), unb64(envelope.nonce), contentKey);
  } catch {
    reject('decrypt_failed', `message ${messageId} could not be decrypted by device ${input.me.deviceId}`);
  } finally {
    if (contentKey) sodium.memzero(contentKey);
  }
  input.seen?.add(messageId);
  return { envelope, sender, plaintext };
}
