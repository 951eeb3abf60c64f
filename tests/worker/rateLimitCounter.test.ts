// The RateLimitCounter object counts costs (a byte quota) and takes a changed budget (a redeploy with other vars)
// from its next hit, although the object itself lives on.
import { describe, expect, it } from 'vitest';
import { TooManyRequests } from '../../src/errors';
import { durableRateLimiters } from '../../src/runtime/worker/rateLimitCounter';
import { workerEnv } from './workerHarness';

describe('RateLimitCounter', () => {
  const limiters = durableRateLimiters(workerEnv.LIMITS);
  const key = `user-${crypto.randomUUID()}`;

  it('counts a cost against the window and refuses what does not fit, counting nothing for it', async () => {
    const bytes = limiters({ limit: 100, windowMs: 3_600_000, what: 'test bytes' });
    await bytes.hit(key, 60);
    await expect(bytes.hit(key, 50)).rejects.toThrow(TooManyRequests);
    await expect(bytes.hit(key, 50)).rejects.toThrow(/Too many test bytes \(at most 100 per hour\); try again in \d+ s/);
    await bytes.hit(key, 40);
  });

  it('applies a changed budget from the next hit', async () => {
    await limiters({ limit: 1, windowMs: 60_000, what: 'test budget' }).hit(key);
    await expect(limiters({ limit: 1, windowMs: 60_000, what: 'test budget' }).hit(key)).rejects.toThrow(TooManyRequests);
    await limiters({ limit: 5, windowMs: 60_000, what: 'test budget' }).hit(key);
  });
});
