/**
 * @module Rate limits on Workers: isolates share no memory, so each limited key (an address on the sign-in
 * routes, a user for message sends) counts in its own small Durable Object, with the same fixed window as Node.
 */
import { DurableObject } from 'cloudflare:workers';
import { createRateLimiter, type RateLimiter, type RateLimiterFactory, type RateLimitOptions } from '../../auth/rateLimiter';
import { systemClock } from '../../clock';
import { TooManyRequests } from '../../errors';
import type { Env } from './env';

type Verdict = { ok: true } | { ok: false; message: string; retryAfter: number };

export class RateLimitCounter extends DurableObject<Env> {
  private limiter: { budget: string; counter: RateLimiter } | undefined;

  async hit(key: string, options: RateLimitOptions, cost = 1): Promise<Verdict> {
    // An object outlives a deploy that changed the budget (a var): the new budget applies from its next hit.
    const budget = `${options.limit}/${options.windowMs}/${options.what ?? ''}`;
    if (this.limiter?.budget !== budget) this.limiter = { budget, counter: createRateLimiter({ clock: systemClock, ...options }) };
    try {
      await this.limiter.counter.hit(key, cost);
      return { ok: true };
    } catch (error) {
      if (error instanceof TooManyRequests) return { ok: false, message: error.message, retryAfter: error.retryAfterSeconds };
      throw error;
    }
  }
}

export function durableRateLimiters(namespace: DurableObjectNamespace<RateLimitCounter>): RateLimiterFactory {
  return (options) => ({
    async hit(key, cost) {
      const name = `${options.what ?? 'auth'}:${key}`;
      const verdict = await namespace.get(namespace.idFromName(name)).hit(key, options, cost);
      if (!verdict.ok) throw new TooManyRequests(verdict.message, verdict.retryAfter);
    },
  });
}
