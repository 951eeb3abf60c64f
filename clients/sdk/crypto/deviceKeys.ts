/** @module A device's long-term key pairs, their storage form, and the signed registration that binds them to a user. */
import { canonicalBytes } from './bytes';
import { EnvelopeError } from './errors';
import { b64, sodiumLoaded, sodiumReady, unb64Exact } from './sodium';

/** Identity signs (Ed25519); agreement receives content keys (X25519 sealed boxes). Both live only on the device. */
export interface DeviceKeyPair {
  identityPublic: Uint8Array;
  identitySecret: Uint8Array;
  agreementPublic: Uint8Array;
  agreementSecret: Uint8Array;
}

export async function generateDeviceKeys(): Promise<DeviceKeyPair> {
  const sodium = await sodiumReady();
  const identity = sodium.crypto_sign_keypair();
  const agreement = sodium.crypto_box_keypair();
  return {
    identityPublic: identity.publicKey,
    identitySecret: identity.privateKey,
    agreementPublic: agreement.publicKey,
    agreementSecret: agreement.privateKey,
  };
}

/** JSON text for IndexedDB or a key file. It holds the secret keys: store it only where the device keeps secrets. */
export function exportDeviceKeys(keys: DeviceKeyPair): string {
  return JSON.stringify({
    identityPublic: b64(keys.identityPublic),
    identitySecret: b64(keys.identitySecret),
    agreementPublic: b64(keys.agreementPublic),
    agreementSecret: b64(keys.agreementSecret),
  });
}

/**
 * Inverse of exportDeviceKeys; call after sodiumReady(). Checks that each public key derives from its secret key,
 * so a corrupted or mixed-up store fails at start-up rather than producing envelopes nobody can verify or open.
 */
export function importDeviceKeys(text: string): DeviceKeyPair {
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new EnvelopeError('malformed', 'stored device keys are not JSON');
  }
  const field = (name: string, length: number): Uint8Array => {
    const value = stored?.[name];
    if (typeof value !== 'string') throw new EnvelopeError('malformed', `stored device keys lack ${name}`);
    return unb64Exact(value, length, name);
  };
  const keys: DeviceKeyPair = {
    identityPublic: field('identityPublic', 32),
    identitySecret: field('identitySecret', 64),
    agreementPublic: field('agreementPublic', 32),
    agreementSecret: field('agreementSecret', 32),
  };
  if (!matches(keys)) throw new EnvelopeError('malformed', 'stored device keys do not form key pairs');
  return keys;
}

// Re-derives both pairs (an Ed25519 secret key is seed ‖ public key; the standard build has no sk_to_pk).
function matches(keys: DeviceKeyPair): boolean {
  const s = sodiumLoaded();
  const identity = s.crypto_sign_seed_keypair(keys.identitySecret.subarray(0, s.crypto_sign_SEEDBYTES));
  return (
    s.memcmp(identity.privateKey, keys.identitySecret) &&
    s.memcmp(identity.publicKey, keys.identityPublic) &&
    s.memcmp(s.crypto_scalarmult_base(keys.agreementSecret), keys.agreementPublic)
  );
}

export const DEVICE_REGISTRATION_CONTEXT = 'exigent-device-v1\n';

/** Exactly what a device signs to register: the context line, then JCS of the user id and both public keys (base64url). */
export function registrationBytes(input: { userId: string; identityKey: string; agreementKey: string }): Uint8Array {
  const { userId, identityKey, agreementKey } = input;
  return canonicalBytes({ userId, identityKey, agreementKey }, DEVICE_REGISTRATION_CONTEXT);
}

/** The registration request body's key fields: the device proves it holds the identity key and vouches for its agreement key. */
export async function signDeviceRegistration(
  keys: DeviceKeyPair,
  userId: string,
): Promise<{ identityKey: string; agreementKey: string; signature: string }> {
  const sodium = await sodiumReady();
  const identityKey = b64(keys.identityPublic);
  const agreementKey = b64(keys.agreementPublic);
  const signature = sodium.crypto_sign_detached(registrationBytes({ userId, identityKey, agreementKey }), keys.identitySecret);
  return { identityKey, agreementKey, signature: b64(signature) };
}

/**
 * Run by the server on registration and by clients on every directory entry they fetch, so a server cannot
 * quietly move a device to another user or swap its agreement key. Malformed input is simply invalid.
 */
export async function verifyDeviceRegistration(input: {
  userId: string;
  identityKey: string;
  agreementKey: string;
  signature: string;
}): Promise<boolean> {
  const sodium = await sodiumReady();
  try {
    unb64Exact(input.agreementKey, sodium.crypto_box_PUBLICKEYBYTES, 'agreement key');
    const identityKey = unb64Exact(input.identityKey, sodium.crypto_sign_PUBLICKEYBYTES, 'identity key');
    const signature = unb64Exact(input.signature, sodium.crypto_sign_BYTES, 'signature');
    return sodium.crypto_sign_verify_detached(signature, registrationBytes(input), identityKey);
  } catch (error) {
    if (error instanceof EnvelopeError) return false;
    throw error;
  }
}
