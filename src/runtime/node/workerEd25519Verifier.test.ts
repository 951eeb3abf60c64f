// The worker verifier must give exactly WebCrypto's answers — for good, tampered and malformed input, for many
// signatures in one turn, and for jobs still waiting when the worker goes away.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { workerEd25519Verifier } from './workerEd25519Verifier';

function signer() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return { publicKey: raw, sign: (message: Uint8Array) => new Uint8Array(sign(null, message, privateKey)) };
}
const bytes = (text: string) => new TextEncoder().encode(text);

describe('workerEd25519Verifier', () => {
  it('accepts good signatures and refuses tampered messages, other keys, and malformed input', async () => {
    const verifier = workerEd25519Verifier();
    const alice = signer();
    const bob = signer();
    const message = bytes('exigent-envelope-v1\n{"v":1}');
    const signature = alice.sign(message);
    try {
      expect(await verifier.verify(alice.publicKey, signature, message)).toBe(true);
      expect(await verifier.verify(alice.publicKey, signature, bytes('exigent-envelope-v1\n{"v":2}'))).toBe(false);
      expect(await verifier.verify(bob.publicKey, signature, message)).toBe(false);
      expect(await verifier.verify(alice.publicKey.subarray(0, 31), signature, message)).toBe(false);
      expect(await verifier.verify(alice.publicKey, signature.subarray(0, 63), message)).toBe(false);
    } finally {
      await verifier.stop();
    }
  });

  it('answers each of many signatures requested in one turn, in order', async () => {
    const verifier = workerEd25519Verifier();
    const keys = [signer(), signer(), signer()];
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const key = keys[i % 3]!;
      const message = bytes(`message ${i}`);
      // Every third signature is made by the wrong key.
      const signature = (i % 3 === 2 ? keys[0]! : key).sign(message);
      return { key, message, signature, expected: i % 3 !== 2 };
    });
    try {
      const results = await Promise.all(jobs.map((j) => verifier.verify(j.key.publicKey, j.signature, j.message)));
      expect(results).toEqual(jobs.map((j) => j.expected));
    } finally {
      await verifier.stop();
    }
  });

  it('still answers, with WebCrypto, what was asked when the worker stops, and everything after', async () => {
    const verifier = workerEd25519Verifier();
    const alice = signer();
    const message = bytes('hello');
    const signature = alice.sign(message);
    await verifier.verify(alice.publicKey, signature, message); // the worker is running now
    const pending = [verifier.verify(alice.publicKey, signature, message), verifier.verify(alice.publicKey, signature, bytes('tampered'))];
    await verifier.stop();
    expect(await Promise.all(pending)).toEqual([true, false]);
    expect(await verifier.verify(alice.publicKey, signature, message)).toBe(true);
    expect(await verifier.verify(alice.publicKey, signature, bytes('tampered'))).toBe(false);
  });
});
