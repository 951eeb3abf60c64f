/**
 * @module Login sessions: opaque random tokens, stored only as SHA-256, with idle and absolute expiry. Ending a session
 * also ends its live streams at once: the end is announced on the account's channel, naming the session's hash.
 */
import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config/loadConfig';
import { randomToken } from '../crypto/randomToken';
import { sha256Hex } from '../crypto/sha256';
import type { Actor } from '../directory/actor';
import { agencies, users } from '../directory/tables';
import type { Platform } from '../platform';
import type { LivePublisher } from '../relay/deliveryHub';
import type { Statement } from '../storage/database';
import { preparedQuery } from '../storage/preparedQuery';
import { sessions } from './tables';

export interface NewSession {
  token: string;
  expiresAt: number;
  /** The insert to run in the same batch as whatever established the login. */
  statement: Statement;
}

/** `credentialId`: the passkey that signed in, so that removing it ends this session. */
export async function prepareSession(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: { userId: string; credentialId: string },
): Promise<NewSession> {
  const token = randomToken();
  const now = clock.now();
  const expiresAt = now + config.sessionMaxMs;
  const statement = database.db
    .insert(sessions)
    .values({ tokenHash: await sha256Hex(token), userId: input.userId, credentialId: input.credentialId, createdAt: now, lastSeenAt: now, expiresAt });
  return { token, expiresAt, statement };
}

// Runs on every authenticated request, so it is prepared once.
const sessionByHash = preparedQuery((db) =>
  db
    .select({
      userId: sessions.userId,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      role: users.role,
      status: users.status,
      agencyId: users.agencyId,
      countryCode: agencies.countryCode,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(agencies, eq(agencies.id, users.agencyId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare(),
);

/**
 * Returns the actor behind a session token, or undefined when the token is unknown, idle too long,
 * past its absolute lifetime, or its user is disabled (checked on every request, so disabling bites at once).
 */
export async function resolveSession(services: Pick<Platform, 'database' | 'clock' | 'config'>, token: string): Promise<Actor | undefined> {
  return resolveSessionByHash(services, await sessionTokenHash(token));
}

/** What the database keeps of a session token, and what a long-lived stream keeps to re-check its session. */
export const sessionTokenHash = (token: string): Promise<string> => sha256Hex(token);

/** {@link resolveSession} by the token's hash. */
export async function resolveSessionByHash(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  tokenHash: string,
): Promise<Actor | undefined> {
  const [row] = await sessionByHash(database).all({ tokenHash });
  if (!row) return undefined;
  const now = clock.now();
  if (row.status !== 'active' || now >= endOf(row, config)) {
    await database.batch([database.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash))]);
    return undefined;
  }
  // Touch at most once a minute: keeps the idle clock honest without a write per request.
  if (now - row.lastSeenAt > 60_000) {
    await database.batch([database.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash))]);
  }
  return { userId: row.userId, role: row.role, agencyId: row.agencyId, countryCode: row.countryCode ?? null };
}

/** The moment a session ends unless its user makes another request: its absolute expiry or its idle deadline. */
const endOf = (row: { lastSeenAt: number; expiresAt: number }, config: Pick<Config, 'sessionIdleMs'>) =>
  Math.min(row.expiresAt, row.lastSeenAt + config.sessionIdleMs);

/**
 * When the session of `tokenHash` ends unless its user makes another request, or undefined when it has ended (logged
 * out, expired, its passkey removed, its account disabled or its role changed). It only reads: a live stream is not
 * the user's activity, so checking on a stream's behalf leaves the idle clock where the user's last request put it.
 */
export async function sessionEndsAt(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  tokenHash: string,
): Promise<number | undefined> {
  const [row] = await sessionByHash(database).all({ tokenHash });
  if (!row || row.status !== 'active') return undefined;
  const endsAt = endOf(row, config);
  return clock.now() < endsAt ? endsAt : undefined;
}

/** Ends one session of `userId` (logout, or a login replacing the browser's session) and its live streams. */
export async function endSession(
  { database, hub }: Pick<Platform, 'database'> & { hub: LivePublisher },
  input: { userId: string; token: string },
): Promise<void> {
  const tokenHash = await sessionTokenHash(input.token);
  await database.batch([database.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash))]);
  hub.publish(`user:${input.userId}`, { type: 'signed_out', sessions: [tokenHash] });
}
