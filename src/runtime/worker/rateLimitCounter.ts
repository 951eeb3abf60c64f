/**
 * @module Rate limits on Workers: isolates share no memory, so each limited key (an address on the sign-in
 * routes, a user for message sends) counts in its own small Durable Object, with the same fixed window as Node.
 */
import { DurableObject } from 'cloudflare:workers';
import { createRateLimiter, type RateLimiter, type RateLimiterFactory } from '../../auth/rateLimiter';
import { systemClock } from '../../clock';
import { TooManyRequests } from '../../errors';
import type { Env } from './env';

type Verdict = { ok: true } | { ok: false; message: string; retryAfter: number };

export class RateLimitCounter extends DurableObject<Env> {
  private limiter: RateLimiter | undefined;

  async hit(key: string, options: { limit: number; windowMs: number; what?: string }): Promise<Verdict> {
    this.limiter ??= createRateLimiter({ clock: systemClock, ...options });
    try {
      await this.limiter.hit(key);
      return { ok: true };
    } catch (error) {
      if (error instanceof TooManyRequests) return { ok: false, message: error.message, retryAfter: error.retryAfterSeconds };
      throw error;
    }
  }
}

export function durableRateLimiters(namespace: DurableObjectNamespace<RateLimitCounter>): RateLimiterFactory {
  return (options) => ({
    async hit(key) {
      const name = `${options.what ?? 'auth'}:${key}`;
      const verdict = await namespace.get(namespace.idFromName(name)).hit(key, options);
      if (!verdict.ok) throw new TooManyRequests(verdict.message, verdict.retryAfter);
    },
  });
}
