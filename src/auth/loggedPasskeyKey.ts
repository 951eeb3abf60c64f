/**
 * @module What a `passkey.added` log leaf says about the passkey (docs/audit-log.md, "Passkey keys in the log"): its
 * credential id, its COSE public key and algorithm, and the relying party it was registered for — all an offline
 * verifier needs to re-verify the justifications it later signs, without the database.
 */
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { fromBase64Url, toBase64Url } from '../crypto/base64url';

export type LoggedPasskeyKey = {
  credentialId: string;
  /** The COSE_Key (RFC 9052 §7) exactly as the authenticator registered it, base64url. */
  publicKey: string;
  /** The COSE algorithm the key names (label 3): -7 ES256, -8 EdDSA, -257 RS256. */
  algorithm: number;
  /** The relying party id and origin the registration was verified for: later assertions must name the same. */
  rpId: string;
  origin: string;
};

// RFC 9052 §7.1: label 3 of a COSE_Key is its algorithm.
const COSE_ALG = 3;

function coseAlgorithm(coseKey: Uint8Array): number {
  const alg = (decodeCredentialPublicKey(coseKey as Uint8Array<ArrayBuffer>) as unknown as Map<number, unknown>).get(COSE_ALG);
  if (typeof alg !== 'number') throw new Error('the COSE key names no algorithm (label 3)');
  return alg;
}

/** The `passkey.added` details for a registration that @simplewebauthn/server verified. */
export function loggedPasskeyKey(input: { credentialId: string; publicKey: Uint8Array; rpId: string; origin: string }): LoggedPasskeyKey {
  return { credentialId: input.credentialId, publicKey: toBase64Url(input.publicKey), algorithm: coseAlgorithm(input.publicKey), rpId: input.rpId, origin: input.origin };
}

/**
 * Reads the key back from a `passkey.added` leaf's details. `undefined` when the leaf carries no key (it was
 * written before keys were logged); throws, naming the field, when the details are malformed or disagree with the key.
 */
export function readLoggedPasskeyKey(details: Record<string, unknown>): (LoggedPasskeyKey & { coseKey: Uint8Array }) | undefined {
  if (details.publicKey === undefined) return undefined;
  const { credentialId, publicKey, algorithm, rpId, origin } = details;
  for (const [field, value] of Object.entries({ credentialId, publicKey, rpId, origin })) {
    if (typeof value !== 'string' || value === '') throw new Error(`the passkey.added leaf's ${field} is not a non-empty string`);
  }
  let coseKey: Uint8Array;
  let keyAlgorithm: number;
  try {
    coseKey = fromBase64Url(publicKey as string);
    keyAlgorithm = coseAlgorithm(coseKey);
  } catch (error) {
    throw new Error(`the passkey.added leaf's publicKey is not a base64url COSE key: ${(error as Error).message}`);
  }
  // Ensure the logged algorithm is the one the key itself names: a reader may rely on either.
  if (algorithm !== keyAlgorithm) throw new Error(`the passkey.added leaf's algorithm ${String(algorithm)} is not the COSE key's algorithm ${keyAlgorithm}`);
  return { credentialId: credentialId as string, publicKey: publicKey as string, algorithm: keyAlgorithm, rpId: rpId as string, origin: origin as string, coseKey };
}
