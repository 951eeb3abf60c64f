/**
 * @module Each user's hourly attachment quota: a number of uploads and a number of bytes, counted by the runtime's
 * rate limiters (this process on Node, Durable Objects on Workers) before the upload's body is read.
 */
import type { RateLimiterFactory } from '../auth/rateLimiter';
import type { Config } from '../config/loadConfig';

const HOUR_MS = 3_600_000;

/** Charges one upload of `bytes` to `userId`, or rejects with TooManyRequests (and Retry-After) when it does not fit. */
export type ChargeUpload = (userId: string, bytes: number) => Promise<void>;

/**
 * @example
 * const chargeUpload = attachmentUploadQuota(rateLimiters, services.config);
 * await chargeUpload(actor.userId, declaredBytes);
 */
export function attachmentUploadQuota(
  rateLimiters: RateLimiterFactory,
  config: Pick<Config, 'attachmentUploadsPerHour' | 'attachmentBytesPerHour'>,
): ChargeUpload {
  const uploads = rateLimiters({ limit: config.attachmentUploadsPerHour, windowMs: HOUR_MS, what: 'attachment uploads' });
  const bytes = rateLimiters({ limit: config.attachmentBytesPerHour, windowMs: HOUR_MS, what: 'attachment bytes' });
  return async function chargeUpload(userId, size) {
    // A refusal by the second leaves the first charged: losing one upload of the count costs less than 10 MiB of bytes.
    await uploads.hit(userId);
    await bytes.hit(userId, size);
  };
}
