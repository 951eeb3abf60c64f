// Device key pairs: storage round trip and the signed registration that binds them to a user.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  exportDeviceKeys,
  generateDeviceKeys,
  importDeviceKeys,
  registrationBytes,
  signDeviceRegistration,
  verifyDeviceRegistration,
} from './deviceKeys';
import { b64, sodiumReady } from './sodium';

beforeAll(async () => {
  await sodiumReady();
});

describe('device keys', () => {
  it('survive export and import', async () => {
    const keys = await generateDeviceKeys();
    expect(importDeviceKeys(exportDeviceKeys(keys))).toEqual(keys);
  });

  it('refuse to import mismatched or damaged key pairs', async () => {
    const [one, two] = [await generateDeviceKeys(), await generateDeviceKeys()];
    expect(() => importDeviceKeys(exportDeviceKeys({ ...one, agreementPublic: two.agreementPublic }))).toThrow(/key pairs/);
    expect(() => importDeviceKeys(exportDeviceKeys({ ...one, identitySecret: one.identitySecret.subarray(0, 32) }))).toThrow(/64 bytes/);
    expect(() => importDeviceKeys('{')).toThrow(/not JSON/);
  });
});

describe('device registration', () => {
  it('signs the documented bytes and verifies', async () => {
    const keys = await generateDeviceKeys();
    const registration = await signDeviceRegistration(keys, 'user-1');
    expect(registration.identityKey).toBe(b64(keys.identityPublic));
    const text = new TextDecoder().decode(registrationBytes({ userId: 'user-1', ...registration }));
    const { agreementKey, identityKey } = registration;
    expect(text).toBe(`exigent-device-v1\n{"agreementKey":"${agreementKey}","identityKey":"${identityKey}","userId":"user-1"}`);
    expect(await verifyDeviceRegistration({ userId: 'user-1', ...registration })).toBe(true);
  });

  it('fails for another user id, a swapped agreement key or garbage', async () => {
    const keys = await generateDeviceKeys();
    const registration = await signDeviceRegistration(keys, 'user-1');
    expect(await verifyDeviceRegistration({ ...registration, userId: 'user-2' })).toBe(false);
    const other = await generateDeviceKeys();
    expect(await verifyDeviceRegistration({ ...registration, userId: 'user-1', agreementKey: b64(other.agreementPublic) })).toBe(false);
    expect(await verifyDeviceRegistration({ ...registration, userId: 'user-1', signature: 'not base64!' })).toBe(false);
  });
});
