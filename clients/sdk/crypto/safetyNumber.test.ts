// Safety numbers, device fingerprints and trust-on-first-use key tracking.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDeviceKeys } from './deviceKeys';
import { deviceFingerprint, KeyTracker, safetyNumber } from './safetyNumber';
import { b64, sodiumReady } from './sodium';

async function identityKey(): Promise<string> {
  return b64((await generateDeviceKeys()).identityPublic);
}

let alice: { userId: string; identityKeys: string[] };
let bob: { userId: string; identityKeys: string[] };

beforeAll(async () => {
  await sodiumReady();
  alice = { userId: 'alice', identityKeys: [await identityKey(), await identityKey()] };
  bob = { userId: 'bob', identityKeys: [await identityKey(), await identityKey()] };
});

describe('safetyNumber', () => {
  it('is symmetric and 60 digits in 12 groups of 5', async () => {
    const number = await safetyNumber(alice, bob);
    expect(number).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(await safetyNumber(bob, alice)).toBe(number);
  });

  it('does not depend on the order keys are listed in', async () => {
    const reordered = { ...alice, identityKeys: [...alice.identityKeys].reverse() };
    expect(await safetyNumber(reordered, bob)).toBe(await safetyNumber(alice, bob));
  });

  it('changes when a device is added, replaced or removed, and on the affected user’s half only', async () => {
    const before = await safetyNumber(alice, bob);
    const [kept, dropped] = bob.identityKeys;
    const variants = [
      [kept!, dropped!, await identityKey()], // a device added
      [kept!, await identityKey()], // a device replaced
      [kept!], // a device removed
    ];
    for (const identityKeys of variants) {
      const after = await safetyNumber(alice, { ...bob, identityKeys });
      expect(after).not.toBe(before);
      expect(after.slice(0, 35)).toBe(before.slice(0, 35)); // alice sorts first: her 30 digits (6 groups) are unchanged
    }
  });

  it('binds the user id', async () => {
    expect(await safetyNumber(alice, { ...bob, userId: 'bobby' })).not.toBe(await safetyNumber(alice, bob));
  });
});

describe('deviceFingerprint', () => {
  it('is 8 groups of 4 uppercase hex digits, stable per key', async () => {
    const key = alice.identityKeys[0]!;
    const fingerprint = await deviceFingerprint(key);
    expect(fingerprint).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){7}$/);
    expect(await deviceFingerprint(key)).toBe(fingerprint);
    expect(await deviceFingerprint(alice.identityKeys[1]!)).not.toBe(fingerprint);
  });
});

describe('KeyTracker', () => {
  it('trusts on first use, then reports added and removed keys', () => {
    const tracker = new KeyTracker();
    expect(tracker.observe('bob', ['k1', 'k2'])).toBeUndefined();
    expect(tracker.observe('bob', ['k2', 'k1'])).toBeUndefined();
    expect(tracker.observe('bob', ['k2', 'k3'])).toEqual({ userId: 'bob', added: ['k3'], removed: ['k1'] });
    expect(tracker.observe('bob', ['k2', 'k3'])).toBeUndefined();
  });

  it('keeps users apart and survives a round trip through JSON', () => {
    const tracker = new KeyTracker({ alice: ['a1'] });
    expect(tracker.observe('alice', ['a1', 'a2'])).toEqual({ userId: 'alice', added: ['a2'], removed: [] });
    expect(tracker.observe('bob', ['b1'])).toBeUndefined();
    const restored = new KeyTracker(JSON.parse(JSON.stringify(tracker)) as Record<string, string[]>);
    expect(restored.toJSON()).toEqual({ alice: ['a1', 'a2'], bob: ['b1'] });
    expect(restored.observe('bob', [])).toEqual({ userId: 'bob', added: [], removed: ['b1'] });
  });
});
