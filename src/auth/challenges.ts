/** @module WebAuthn challenges: stored server-side, bound to a purpose and context, single-use, expiring in 5 minutes. */
import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import { Invalid } from '../errors';
import type { Platform } from '../platform';
import { challenges, type ChallengePurpose } from './tables';

export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * Expired challenges each new one clears. Anyone may ask for a login challenge and every one is a row, so the table
 * is kept to little more than the challenges of the last five minutes, with no job to run; the bound keeps each
 * batch small even right after a flood.
 */
const EXPIRED_CLEARED_PER_ISSUE = 100;

export interface StoredChallenge {
  id: string;
  challenge: string;
  userId: string | null;
  context: Record<string, unknown>;
}

export async function issueChallenge(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  input: { purpose: ChallengePurpose; challenge: string; userId?: string; context?: Record<string, unknown> },
): Promise<string> {
  const id = crypto.randomUUID();
  const expired = database.db
    .select({ id: challenges.id })
    .from(challenges)
    .where(lte(challenges.expiresAt, clock.now()))
    .limit(EXPIRED_CLEARED_PER_ISSUE);
  await database.batch([
    database.db.delete(challenges).where(inArray(challenges.id, expired)),
    database.db.insert(challenges).values({
      id,
      purpose: input.purpose,
      challenge: input.challenge,
      userId: input.userId ?? null,
      context: input.context ?? {},
      expiresAt: clock.now() + CHALLENGE_TTL_MS,
    }),
  ]);
  return id;
}

/**
 * Deletes and returns the challenge in one statement, so it can be used exactly once even under
 * concurrent attempts; an unknown, expired, already-used or wrong-purpose challenge is refused.
 */
export async function consumeChallenge(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  input: { id: string; purpose: ChallengePurpose },
): Promise<StoredChallenge> {
  const [row] = await database.db
    .delete(challenges)
    .where(and(eq(challenges.id, input.id), eq(challenges.purpose, input.purpose), gt(challenges.expiresAt, clock.now())))
    .returning();
  if (!row) throw new Invalid('The challenge is unknown, expired or already used; start again', 'challengeId');
  return { id: row.id, challenge: row.challenge, userId: row.userId, context: row.context };
}
