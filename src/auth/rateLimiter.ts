/** @module A fixed-window rate limiter keyed by client or user: authentication attempts, challenges, message sends, upload quotas. */
import type { Clock } from '../clock';
import { TooManyRequests } from '../errors';

export interface RateLimiter {
  /**
   * Counts `cost` (default 1: one attempt; a byte count for a size quota) against `key`'s window; rejects with
   * TooManyRequests, counting nothing, once it does not fit. Asynchronous so a limiter shared between Workers
   * isolates (a Durable Object) can implement it.
   */
  hit(key: string, cost?: number): Promise<void>;
}

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** What is counted, in the refusal's detail ("Too many messages sent"); also names the budget, so keep it unique. */
  what?: string;
}

/** Builds one limiter per budget; a runtime brings its own (in-memory on Node, a Durable Object on Workers). */
export type RateLimiterFactory = (options: RateLimitOptions) => RateLimiter;

function perWindow(windowMs: number): string {
  if (windowMs === 60_000) return 'per minute';
  if (windowMs === 3_600_000) return 'per hour';
  return `per ${windowMs / 1000} s`;
}

/** The in-memory limiter: right for one process, which sees every request. */
export function createRateLimiter(options: RateLimitOptions & { clock: Clock }): RateLimiter {
  const { clock, limit, windowMs, what = 'authentication attempts' } = options;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key, cost = 1) {
      const now = clock.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        // Drop stale windows as we go so the map cannot grow without bound under a spray of keys.
        if (windows.size > 10_000) for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      // A refused hit is not counted: a quota of bytes refuses the large upload and still admits a smaller one.
      if (window.count + cost > limit) {
        const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
        throw new TooManyRequests(`Too many ${what} (at most ${limit} ${perWindow(windowMs)}); try again in ${retryAfter} s`, retryAfter);
      }
      window.count += cost;
    },
  };
}

/**
 * A factory of in-memory limiters on `clock`. Asked twice for one budget (the same `what`, limit and window) it gives
 * the same limiter, so the HTTP route and the device streams that send messages count against one budget.
 */
export function inMemoryRateLimiters(clock: Clock): RateLimiterFactory {
  const budgets = new Map<string, RateLimiter>();
  return (options) => {
    const budget = `${options.limit}/${options.windowMs}/${options.what ?? ''}`;
    let limiter = budgets.get(budget);
    if (!limiter) budgets.set(budget, (limiter = createRateLimiter({ clock, ...options })));
    return limiter;
  };
}
