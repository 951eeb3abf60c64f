// The SDK (libsodium) and the relay (WebCrypto + zod) implement envelope v1 independently; they must agree byte for byte.
import { describe, expect, it } from 'vitest';
import { encodeContent, generateDeviceKeys, registrationBytes, sealEnvelope, signDeviceRegistration, signedBytes, b64 } from '../../clients/sdk/crypto';
import { fromBase64Url } from '../../src/crypto/base64url';
import { ed25519Verify } from '../../src/crypto/ed25519';
import { deviceRegistrationBytes, envelopeSignedBytes, EnvelopeV1Schema } from '../../src/relay/envelopeFormat';

describe('envelope v1 contract between SDK and relay', () => {
  it('an SDK envelope passes the relay schema, and both sign the same bytes, which verify with WebCrypto', async () => {
    const sender = await generateDeviceKeys();
    const recipient = await generateDeviceKeys();
    const envelope = await sealEnvelope({
      conversationId: 'c0ffee-conversation',
      sender: { deviceId: 'device-a', keys: sender },
      recipients: [{ deviceId: 'device-b', agreementKey: b64(recipient.agreementPublic) }],
      plaintext: encodeContent({ type: 'text', text: 'contract' }),
    });
    const parsed = EnvelopeV1Schema.parse(JSON.parse(JSON.stringify(envelope)));
    expect(envelopeSignedBytes(parsed)).toEqual(signedBytes(envelope));
    expect(await ed25519Verify(sender.identityPublic, fromBase64Url(envelope.signature), envelopeSignedBytes(parsed))).toBe(true);
    expect(await ed25519Verify(sender.identityPublic, fromBase64Url(envelope.signature), envelopeSignedBytes({ ...parsed, sentAt: parsed.sentAt + 1 }))).toBe(false);
  });

  it('device registrations sign the same bytes on both sides', async () => {
    const keys = await generateDeviceKeys();
    const signed = await signDeviceRegistration(keys, 'user-1');
    const input = { userId: 'user-1', identityKey: signed.identityKey, agreementKey: signed.agreementKey };
    expect(deviceRegistrationBytes(input)).toEqual(registrationBytes(input));
    expect(await ed25519Verify(keys.identityPublic, fromBase64Url(signed.signature), deviceRegistrationBytes(input))).toBe(true);
    expect(await ed25519Verify(keys.identityPublic, fromBase64Url(signed.signature), deviceRegistrationBytes({ ...input, userId: 'user-2' }))).toBe(false);
  });
});
