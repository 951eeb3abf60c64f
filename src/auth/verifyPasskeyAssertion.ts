/** @module Verifies a WebAuthn assertion against a stored passkey: owner, status, user verification, challenge, counter. */
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport } from '@simplewebauthn/server';
import { and, eq, isNull } from 'drizzle-orm';
import { users } from '../directory/tables';
import { Invalid, Unauthenticated } from '../errors';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { credentials } from './tables';

export interface VerifiedAssertion {
  userId: string;
  credentialId: string;
  newCounter: number;
  /** Persists the new counter and last use; run it in the batch that acts on the assertion. */
  counterStatement: Statement;
}

export async function verifyPasskeyAssertion(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: { response: AuthenticationResponseJSON; expectedChallenge: string; expectedUserId?: string },
): Promise<VerifiedAssertion> {
  const [row] = await database.db
    .select({ credential: credentials, userStatus: users.status, webauthnUserId: users.webauthnUserId })
    .from(credentials)
    .innerJoin(users, eq(users.id, credentials.userId))
    .where(and(eq(credentials.id, input.response.id), isNull(credentials.revokedAt)));
  // Ensure the passkey is known, not revoked, and its owner may sign in.
  if (!row) throw new Unauthenticated('This passkey is not registered or has been revoked');
  if (row.userStatus !== 'active') throw new Unauthenticated('This account is disabled');
  if (input.expectedUserId && row.credential.userId !== input.expectedUserId) {
    throw new Invalid('This passkey belongs to another user', 'response');
  }
  // Ensure a discoverable credential's user handle, when present, names the passkey's owner.
  const userHandle = input.response.response.userHandle;
  if (userHandle && userHandle !== row.webauthnUserId) throw new Invalid('The user handle does not match the passkey owner', 'response');

  const verification = await verifyAuthenticationResponse({
    response: input.response,
    expectedChallenge: input.expectedChallenge,
    expectedOrigin: config.origin,
    expectedRPID: config.rpId,
    requireUserVerification: true,
    credential: {
      id: row.credential.id,
      publicKey: new Uint8Array(row.credential.publicKey),
      counter: row.credential.counter,
      transports: row.credential.transports as AuthenticatorTransport[],
    },
  }).catch((error: Error) => {
    // simplewebauthn refuses a counter that did not increase: a sign of a cloned authenticator.
    throw new Unauthenticated(`Passkey assertion could not be verified: ${error.message}`);
  });
  if (!verification.verified) throw new Unauthenticated('Passkey assertion could not be verified');
  const { newCounter } = verification.authenticationInfo;
  return {
    userId: row.credential.userId,
    credentialId: row.credential.id,
    newCounter,
    counterStatement: database.db
      .update(credentials)
      .set({ counter: newCounter, lastUsedAt: clock.now() })
      .where(eq(credentials.id, row.credential.id)),
  };
}
