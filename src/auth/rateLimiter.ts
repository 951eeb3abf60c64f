/** @module A fixed-window rate limiter keyed by client or user: authentication attempts, token guesses, message sends. */
import type { Clock } from '../clock';
import { TooManyRequests } from '../errors';

export interface RateLimiter {
  /**
   * Counts one attempt for `key`; rejects with TooManyRequests once the window's budget is spent. Asynchronous so
   * a limiter shared between Workers isolates (a Durable Object) can implement it.
   */
  hit(key: string): Promise<void>;
}

/** Builds one limiter per budget; a runtime brings its own (in-memory on Node, a Durable Object on Workers). */
export type RateLimiterFactory = (options: { limit: number; windowMs: number; what?: string }) => RateLimiter;

/** The in-memory limiter: right for one process, which sees every request. */
export function createRateLimiter(options: { clock: Clock; limit: number; windowMs: number; what?: string }): RateLimiter {
  const { clock, limit, windowMs, what = 'authentication attempts' } = options;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key) {
      const now = clock.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        // Drop stale windows as we go so the map cannot grow without bound under a spray of keys.
        if (windows.size > 10_000) for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count > limit) {
        const retryAfter = Math.ceil((window.start + windowMs - now) / 1000);
        throw new TooManyRequests(`Too many ${what}; try again in ${retryAfter} s`, retryAfter);
      }
    },
  };
}

/** A factory of in-memory limiters on `clock`. */
export function inMemoryRateLimiters(clock: Clock): RateLimiterFactory {
  return (options) => createRateLimiter({ clock, ...options });
}
