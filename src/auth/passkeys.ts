/**
 * @module A user's passkeys: list, add another, rename, revoke (never the last one, and ending the sessions signed in with
 * it). Additions and revocations are logged.
 */
import { verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import type { Actor } from '../directory/actor';
import { users } from '../directory/tables';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { LivePublisher } from '../relay/deliveryHub';
import { consumeChallenge, issueChallenge } from './challenges';
import { loggedPasskeyKey } from './loggedPasskeyKey';
import { credentials, sessions } from './tables';
import { registrationOptions } from './webauthnOptions';

export interface Passkey {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  transports: string[];
  createdAt: number;
  lastUsedAt: number | null;
}

const passkeyColumns = {
  id: credentials.id,
  name: credentials.name,
  deviceType: credentials.deviceType,
  backedUp: credentials.backedUp,
  transports: credentials.transports,
  createdAt: credentials.createdAt,
  lastUsedAt: credentials.lastUsedAt,
};

export async function listPasskeys({ database }: Pick<Platform, 'database'>, userId: string): Promise<Passkey[]> {
  return database.db
    .select(passkeyColumns)
    .from(credentials)
    .where(and(eq(credentials.userId, userId), isNull(credentials.revokedAt)))
    .orderBy(asc(credentials.createdAt));
}

export async function beginAddPasskey(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  actor: Actor,
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const [user] = await services.database.db.select().from(users).where(eq(users.id, actor.userId));
  if (!user) throw new NotFound('User not found');
  const existing = await services.database.db.select({ id: credentials.id }).from(credentials).where(eq(credentials.userId, actor.userId));
  const options = await registrationOptions(services.config, {
    webauthnUserId: user.webauthnUserId,
    email: user.email,
    displayName: user.displayName,
    excludeCredentialIds: existing.map((c) => c.id),
  });
  const challengeId = await issueChallenge(services, { purpose: 'add_passkey', challenge: options.challenge, userId: actor.userId });
  return { challengeId, options };
}

export async function completeAddPasskey(
  services: Pick<Platform, 'database' | 'clock' | 'config'> & { logWriter: LogWriter },
  input: { actor: Actor; challengeId: string; response: RegistrationResponseJSON; name: string },
): Promise<Passkey> {
  const { database, clock, config, logWriter } = services;
  const challenge = await consumeChallenge(services, { id: input.challengeId, purpose: 'add_passkey' });
  // Ensure the challenge was issued to this very user.
  if (challenge.userId !== input.actor.userId) throw new Invalid('The challenge was issued to another user', 'challengeId');
  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge.challenge,
    expectedOrigin: config.origin,
    expectedRPID: config.rpId,
    requireUserVerification: true,
  }).catch((error: Error) => {
    throw new Invalid(`Passkey registration could not be verified: ${error.message}`, 'response');
  });
  if (!verification.verified) throw new Invalid('Passkey registration could not be verified', 'response');
  const { credential, credentialDeviceType, credentialBackedUp, origin, rpID } = verification.registrationInfo;
  const [duplicate] = await database.db.select({ id: credentials.id }).from(credentials).where(eq(credentials.id, credential.id));
  if (duplicate) throw new Conflict('This passkey is already registered');
  const now = clock.now();
  const passkey: Passkey = {
    id: credential.id,
    name: input.name,
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    transports: credential.transports ?? [],
    createdAt: now,
    lastUsedAt: null,
  };
  await logWriter.commit(
    [
      {
        type: 'passkey.added',
        actor: { userId: input.actor.userId, role: input.actor.role },
        subject: { userId: input.actor.userId, credentialId: credential.id },
        countries: input.actor.countryCode ? [input.actor.countryCode] : [],
        // The key itself, so that the justifications it signs can be re-verified from the log alone.
        details: loggedPasskeyKey({ credentialId: credential.id, publicKey: credential.publicKey, rpId: rpID ?? config.rpId, origin }),
      },
    ],
    [
      database.db.insert(credentials).values({
        ...passkey,
        userId: input.actor.userId,
        publicKey: credential.publicKey,
        counter: credential.counter,
      }),
    ],
  );
  return passkey;
}

async function requireOwnPasskey(services: Pick<Platform, 'database'>, actor: Actor, id: string): Promise<Passkey> {
  const [row] = await services.database.db
    .select(passkeyColumns)
    .from(credentials)
    .where(and(eq(credentials.id, id), eq(credentials.userId, actor.userId), isNull(credentials.revokedAt)));
  if (!row) throw new NotFound(`You have no active passkey with id ${id}`);
  return row;
}

export async function renamePasskey(
  services: Pick<Platform, 'database'>,
  input: { actor: Actor; id: string; name: string },
): Promise<Passkey> {
  const passkey = await requireOwnPasskey(services, input.actor, input.id);
  await services.database.batch([services.database.db.update(credentials).set({ name: input.name }).where(eq(credentials.id, passkey.id))]);
  return { ...passkey, name: input.name };
}

/**
 * Revokes the passkey and, in the same batch, ends the sessions signed in with it — a revoked passkey is one the user
 * no longer vouches for (a lost laptop), so what it opened must not outlive it — and those whose passkey is unknown
 * (opened before sessions recorded it), since they may be its. Their live streams end at once.
 * Returns the ended sessions' token hashes (the caller's own may be among them).
 */
export async function revokePasskey(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; hub: LivePublisher },
  input: { actor: Actor; id: string },
): Promise<{ endedSessions: string[] }> {
  const { database, logWriter, hub } = services;
  const passkey = await requireOwnPasskey(services, input.actor, input.id);
  const active = await listPasskeys(services, input.actor.userId);
  // Ensure the user keeps a way in: passkeys are the only credential Exigent has.
  if (active.length <= 1) throw new Conflict('You cannot revoke your last passkey; add another one first');
  const signedInWithIt = and(eq(sessions.userId, input.actor.userId), or(eq(sessions.credentialId, passkey.id), isNull(sessions.credentialId)));
  const endedSessions = (await database.db.select({ tokenHash: sessions.tokenHash }).from(sessions).where(signedInWithIt)).map((s) => s.tokenHash);
  await logWriter.commit(
    [
      {
        type: 'passkey.revoked',
        actor: { userId: input.actor.userId, role: input.actor.role },
        subject: { userId: input.actor.userId, credentialId: passkey.id },
        countries: input.actor.countryCode ? [input.actor.countryCode] : [],
        details: { sessionsEnded: endedSessions.length },
      },
    ],
    [
      database.db.update(credentials).set({ revokedAt: services.clock.now() }).where(eq(credentials.id, passkey.id)),
      database.db.delete(sessions).where(signedInWithIt),
    ],
  );
  if (endedSessions.length > 0) hub.publish(`user:${input.actor.userId}`, { type: 'signed_out', sessions: endedSessions });
  return { endedSessions };
}
