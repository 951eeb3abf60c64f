/**
 * @module The wire format of envelope v1 and device registrations (docs/protocol.md): the zod schema the
 * relay validates against, and the exact bytes that are signed. The client SDK signs these same bytes.
 */
import canonicalize from 'canonicalize';
import { z } from 'zod';

export const ENVELOPE_CONTEXT = 'exigent-envelope-v1\n';
export const DEVICE_REGISTRATION_CONTEXT = 'exigent-device-v1\n';

const encoder = new TextEncoder();
const b64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be unpadded base64url');
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id (letters, digits, - and _)');

/** 32-byte keys are 43 base64url characters; 64-byte signatures 86; 24-byte nonces 32; 16-byte ids 22. */
export const PublicKey32 = b64url(43, 43);
export const Signature64 = b64url(86, 86);

export const EnvelopeV1Schema = z.strictObject({
  v: z.literal(1, { error: 'unsupported envelope version; this relay accepts v: 1' }),
  conversationId: Id,
  messageId: b64url(22, 22),
  senderDeviceId: Id,
  sentAt: z.number().int().nonnegative(),
  nonce: b64url(32, 32),
  ciphertext: b64url(1, 100_000_000),
  keys: z
    .array(z.strictObject({ deviceId: Id, wrapped: b64url(64, 128) }))
    .min(1, 'an envelope needs at least one recipient device')
    .max(1000),
  signature: Signature64,
});
export type EnvelopeV1 = z.infer<typeof EnvelopeV1Schema>;

function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value is not serialisable as JSON');
  return text;
}

/** What the sender device signs: the context string, then the JCS of every field except the signature. */
export function envelopeSignedBytes(envelope: Omit<EnvelopeV1, 'signature'> & { signature?: string }): Uint8Array {
  const { signature: _signature, ...signed } = envelope;
  return encoder.encode(ENVELOPE_CONTEXT + jcs(signed));
}

/** What a device signs when it is registered: binds its two public keys to the account that registers them. */
export function deviceRegistrationBytes(input: { userId: string; identityKey: string; agreementKey: string }): Uint8Array {
  return encoder.encode(DEVICE_REGISTRATION_CONTEXT + jcs({ userId: input.userId, identityKey: input.identityKey, agreementKey: input.agreementKey }));
}
