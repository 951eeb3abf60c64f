/**
 * @module A user's devices: their public keys, registered with a signature by the device's own identity key,
 * listed for conversation members, revoked by their owner. Registrations and revocations are logged.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { fromBase64Url } from '../crypto/base64url';
import { ed25519Verify } from '../crypto/ed25519';
import type { Actor } from '../directory/actor';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import { preparedQuery } from '../storage/preparedQuery';
import type { LivePublisher } from './deliveryHub';
import { deviceRegistrationBytes } from './envelopeFormat';
import { deliveries, devices } from './tables';

export interface DeviceKeys {
  id: string;
  userId: string;
  name: string;
  identityKey: string;
  agreementKey: string;
  registrationSignature: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Devices a user may have at once: enough for a desk, a laptop and a phone with room to rotate. */
const MAX_ACTIVE_DEVICES = 10;

export async function registerDevice(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter },
  input: { actor: Actor; name: string; identityKey: string; agreementKey: string; signature: string },
): Promise<DeviceKeys> {
  const { database, clock, logWriter } = services;
  const { actor } = input;
  const signed = deviceRegistrationBytes({ userId: actor.userId, identityKey: input.identityKey, agreementKey: input.agreementKey });
  if (!(await ed25519Verify(fromBase64Url(input.identityKey), fromBase64Url(input.signature), signed))) {
    throw new Invalid('The registration signature does not verify with the identity key for your account', 'signature');
  }
  const [reused] = await database.db.select({ id: devices.id }).from(devices).where(eq(devices.identityKey, input.identityKey));
  if (reused) throw new Conflict('This identity key is already registered; generate fresh keys for a new device');
  const active = await listDevices(services, [actor.userId]);
  if (active.length >= MAX_ACTIVE_DEVICES) throw new Conflict(`You already have ${MAX_ACTIVE_DEVICES} active devices; revoke one first`);
  const device: DeviceKeys = {
    id: crypto.randomUUID(),
    userId: actor.userId,
    name: input.name,
    identityKey: input.identityKey,
    agreementKey: input.agreementKey,
    registrationSignature: input.signature,
    createdAt: clock.now(),
    revokedAt: null,
  };
  await logWriter.commit(
    [
      {
        type: 'device.registered',
        actor: { userId: actor.userId, role: actor.role },
        subject: { userId: actor.userId, deviceId: device.id },
        countries: actor.countryCode ? [actor.countryCode] : [],
        // The keys themselves are logged so an auditor can show which keys a user's messages could be read with.
        details: { identityKey: device.identityKey, agreementKey: device.agreementKey },
      },
    ],
    [database.db.insert(devices).values(device)],
  );
  return device;
}

/** Active (not revoked) devices of the given users, oldest first. */
export async function listDevices({ database }: Pick<Platform, 'database'>, userIds: readonly string[]): Promise<DeviceKeys[]> {
  if (userIds.length === 0) return [];
  return database.db
    .select()
    .from(devices)
    .where(and(inArray(devices.userId, [...userIds]), isNull(devices.revokedAt)))
    .orderBy(asc(devices.createdAt), asc(devices.id));
}

const deviceById = preparedQuery((db) => db.select().from(devices).where(eq(devices.id, sql.placeholder('id'))).prepare());
const activeDevicesOfUser = preparedQuery((db) =>
  db
    .select()
    .from(devices)
    .where(and(eq(devices.userId, sql.placeholder('userId')), isNull(devices.revokedAt)))
    .orderBy(asc(devices.createdAt), asc(devices.id))
    .prepare(),
);

export async function findDevice({ database }: Pick<Platform, 'database'>, id: string): Promise<DeviceKeys | undefined> {
  const [device] = await deviceById(database).all({ id });
  return device;
}

/** The user's active devices (prepared: receipts go to them on every acknowledgement). */
export async function activeDevicesOf({ database }: Pick<Platform, 'database'>, userId: string): Promise<DeviceKeys[]> {
  return activeDevicesOfUser(database).all({ userId });
}

/** The actor's own active device, or NotFound: every device-scoped action goes through here. */
export async function requireOwnDevice(services: Pick<Platform, 'database'>, actor: Actor, id: string): Promise<DeviceKeys> {
  const device = await findDevice(services, id);
  if (!device || device.userId !== actor.userId) throw new NotFound(`You have no device with id ${id}`);
  if (device.revokedAt !== null) throw new Conflict(`Device ${id} was revoked; register this browser or machine again`);
  return device;
}

/** Revokes one of the actor's devices; its open streams end at once. */
export async function revokeDevice(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; hub: LivePublisher },
  input: { actor: Actor; id: string },
): Promise<void> {
  const device = await requireOwnDevice(services, input.actor, input.id);
  const { database, clock, logWriter } = services;
  await logWriter.commit(
    [
      {
        type: 'device.revoked',
        actor: { userId: input.actor.userId, role: input.actor.role },
        subject: { userId: input.actor.userId, deviceId: device.id },
        countries: input.actor.countryCode ? [input.actor.countryCode] : [],
      },
    ],
    // A revoked device gets nothing more: its queued copies go with it.
    [
      database.db.update(devices).set({ revokedAt: clock.now() }).where(eq(devices.id, device.id)),
      database.db.delete(deliveries).where(eq(deliveries.deviceId, device.id)),
    ],
  );
  services.hub.publish(device.id, { type: 'device_revoked' });
}
