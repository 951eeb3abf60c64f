/**
 * @module Standard Webhooks signing (https://www.standardwebhooks.com/): the `webhook-signature` HMAC our
 * receivers check, and the check itself, so receivers and tests verify exactly what the outbox signs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1,';

/** A fresh endpoint secret: "whsec_" + base64 of 32 random bytes (256 bits). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key is the base64 part of the secret; the prefix is optional, as in the reference libraries. */
function secretBytes(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new Error('Webhook secret must be "whsec_" followed by base64 key bytes');
  return key;
}

/**
 * The `webhook-signature` value for one delivery attempt.
 * @param timestamp Unix seconds, exactly as sent in `webhook-timestamp`.
 * @example
 * signWebhook(secret, 'msg_1', 1767225600, '{"type":"x"}'); // "v1,K5oZ…="
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return SIGNATURE_VERSION + mac;
}

/**
 * True when one of the space-separated signatures matches and the timestamp is fresh, which stops replays.
 * @param options.now Milliseconds since the epoch, like `Clock.now()`; defaults to the system time.
 * @param options.toleranceSeconds Allowed clock distance either way; 300 unless told.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  if (!/^\d{1,15}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, headers.id, timestamp, body));
  // Every candidate is compared (no early exit) so timing reveals nothing about which one matched.
  let matched = false;
  for (const candidate of headers.signature.split(' ')) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}
