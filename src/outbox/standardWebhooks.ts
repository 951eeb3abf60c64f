/**
 * @module Standard Webhooks signing (https://www.standardwebhooks.com/): the `webhook-signature` HMAC our
 * receivers check, and the check itself, so receivers and tests verify exactly what the outbox signs.
 */
import { fromBase64, toBase64 } from '../crypto/base64url';
import { constantTimeEqual } from '../crypto/constantTimeEqual';

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1,';
const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

/** A fresh endpoint secret: "whsec_" + base64 of 32 random bytes (256 bits). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The HMAC key is the base64 part of the secret; the prefix is optional, as in the reference libraries. */
function secretBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  let key: Uint8Array;
  try {
    key = fromBase64(encoded);
  } catch {
    key = new Uint8Array(0);
  }
  if (key.length === 0) throw new Error('Webhook secret must be "whsec_" followed by base64 key bytes');
  return key;
}

/**
 * The `webhook-signature` value for one delivery attempt.
 * @param timestamp Unix seconds, exactly as sent in `webhook-timestamp`.
 * @example
 * await signWebhook(secret, 'msg_1', 1767225600, '{"type":"x"}'); // "v1,K5oZ…="
 */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secretBytes(secret) as Uint8Array<ArrayBuffer>, HMAC_SHA256, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`));
  return SIGNATURE_VERSION + toBase64(new Uint8Array(mac));
}

/**
 * True when one of the space-separated signatures matches and the timestamp is fresh, which stops replays.
 * @param options.now Milliseconds since the epoch, like `Clock.now()`; defaults to the system time.
 * @param options.toleranceSeconds Allowed clock distance either way; 300 unless told.
 */
export async function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): Promise<boolean> {
  if (!/^\d{1,15}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = await signWebhook(secret, headers.id, timestamp, body);
  // Every candidate is compared (no early exit) so timing reveals nothing about which one matched.
  let matched = false;
  for (const candidate of headers.signature.split(' ')) if (constantTimeEqual(candidate, expected)) matched = true;
  return matched;
}
