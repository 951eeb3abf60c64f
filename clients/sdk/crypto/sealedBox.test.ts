// Our sealed box must be libsodium's sealed box, byte for byte in structure: libsodium opens it, tampering fails,
// and every seal uses a fresh ephemeral key.
import { describe, expect, it } from 'vitest';
import { randomBytes, sealTo } from './sealedBox';
import { sodiumReady } from './sodium';

describe('sealTo', () => {
  it('is opened by libsodium’s crypto_box_seal_open, and only by the recipient', async () => {
    const sodium = await sodiumReady();
    const recipient = sodium.crypto_box_keypair();
    const stranger = sodium.crypto_box_keypair();
    const message = randomBytes(32);
    const sealed = sealTo(message, recipient.publicKey);
    expect(sealed).toHaveLength(sodium.crypto_box_SEALBYTES + message.length);
    expect(sodium.crypto_box_seal_open(sealed, recipient.publicKey, recipient.privateKey)).toEqual(message);
    expect(() => sodium.crypto_box_seal_open(sealed, stranger.publicKey, stranger.privateKey)).toThrow();
  });

  it('fails to open once any byte is changed, the ephemeral key included', async () => {
    const sodium = await sodiumReady();
    const recipient = sodium.crypto_box_keypair();
    const sealed = sealTo(randomBytes(32), recipient.publicKey);
    for (const index of [0, 31, 32, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index]! ^= 0x01;
      expect(() => sodium.crypto_box_seal_open(tampered, recipient.publicKey, recipient.privateKey)).toThrow();
    }
  });

  it('uses a fresh ephemeral key for every seal', async () => {
    const sodium = await sodiumReady();
    const recipient = sodium.crypto_box_keypair();
    const message = randomBytes(32);
    const ephemeralKeys = new Set(Array.from({ length: 50 }, () => sodium.to_hex(sealTo(message, recipient.publicKey).subarray(0, 32))));
    expect(ephemeralKeys.size).toBe(50);
  });

  it('draws random bytes of the requested length that differ between calls', () => {
    expect(randomBytes(24)).toHaveLength(24);
    expect(randomBytes(16)).not.toEqual(randomBytes(16));
  });
});
