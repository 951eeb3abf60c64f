/**
 * @module This browser's device keys, kept in IndexedDB: the private keys never leave the browser profile. If the
 * profile is lost the device is gone too, and the user registers a new one.
 */
import type { Api } from '../../sdk/api';
import { exportDeviceKeys, generateDeviceKeys, importDeviceKeys, sodiumReady } from '../../sdk/crypto';
import { Messenger, type DeviceIdentity, type DeviceRecord } from '../../sdk/messenger';
import { idbGet, idbPut } from './idb';

/** This browser's registered device for the user, registering a fresh one when there is none (or it was revoked). */
export async function loadOrRegisterDevice(api: Api, userId: string): Promise<DeviceIdentity> {
  await sodiumReady();
  const stored = await idbGet<{ deviceId: string; keys: string }>('devices', userId);
  if (stored) {
    const { devices } = await api.get<{ devices: DeviceRecord[] }>('/devices');
    if (devices.some((d) => d.id === stored.deviceId)) return { deviceId: stored.deviceId, userId, keys: importDeviceKeys(stored.keys) };
  }
  const keys = await generateDeviceKeys();
  const name = `${navigator.platform || 'Browser'} · ${new Date().toISOString().slice(0, 10)}`;
  const device = await Messenger.registerDevice(api, { userId, name, keys });
  await idbPut('devices', userId, { deviceId: device.deviceId, keys: exportDeviceKeys(keys) });
  return device;
}
