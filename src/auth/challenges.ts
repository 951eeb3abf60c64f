/** @module WebAuthn challenges: stored server-side, bound to a purpose and context, single-use, expiring in 5 minutes. */
import { and, eq, gt } from 'drizzle-orm';
import { Invalid } from '../errors';
import type { Platform } from '../platform';
import { challenges, type ChallengePurpose } from './tables';

export const CHALLENGE_TTL_MS = 5 * 60_000;

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
  await database.batch([
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
