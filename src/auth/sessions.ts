/** @module Login sessions: opaque random tokens, stored only as SHA-256, with idle and absolute expiry. */
import { eq, sql } from 'drizzle-orm';
import { randomToken } from '../crypto/randomToken';
import { sha256Hex } from '../crypto/sha256';
import type { Actor } from '../directory/actor';
import { agencies, users } from '../directory/tables';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { preparedQuery } from '../storage/preparedQuery';
import { sessions } from './tables';

export interface NewSession {
  token: string;
  expiresAt: number;
  /** The insert to run in the same batch as whatever established the login. */
  statement: Statement;
}

export async function prepareSession(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  userId: string,
): Promise<NewSession> {
  const token = randomToken();
  const now = clock.now();
  const expiresAt = now + config.sessionMaxMs;
  const statement = database.db
    .insert(sessions)
    .values({ tokenHash: await sha256Hex(token), userId, createdAt: now, lastSeenAt: now, expiresAt });
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
  if (row.status !== 'active' || now >= row.expiresAt || now - row.lastSeenAt >= config.sessionIdleMs) {
    await database.batch([database.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash))]);
    return undefined;
  }
  // Touch at most once a minute: keeps the idle clock honest without a write per request.
  if (now - row.lastSeenAt > 60_000) {
    await database.batch([database.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash))]);
  }
  return { userId: row.userId, role: row.role, agencyId: row.agencyId, countryCode: row.countryCode ?? null };
}

export async function endSession({ database }: Pick<Platform, 'database'>, token: string): Promise<void> {
  await database.batch([database.db.delete(sessions).where(eq(sessions.tokenHash, await sha256Hex(token)))]);
}
