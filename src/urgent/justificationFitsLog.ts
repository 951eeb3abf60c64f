/**
 * @module Refuses, at the draft step and so before the investigator signs, a justification too large for the
 * `urgent_contact.opened` log leaf that will carry it (a leaf is at most MAX_LEAF_BYTES: C2SP entry bundles).
 */
import { largestString, MAX_LEAF_BYTES } from '../audit-log/logEvent';
import { Invalid } from '../errors';

/**
 * Room kept in the leaf for what joins the justification after signing: the leaf's envelope, three ids, the hash and
 * the passkey assertion. Real assertions are well under 2 KB (authenticator data ~37 bytes, client data ~300, an
 * ES256 or RSA signature at most 512), so 16 KiB leaves a wide margin; an abnormal one is still refused by the writer.
 */
export const OPENED_LEAF_RESERVE_BYTES = 16 * 1024;
/** The most UTF-8 bytes the canonical justification may have. */
export const MAX_JUSTIFICATION_BYTES = MAX_LEAF_BYTES - OPENED_LEAF_RESERVE_BYTES;

/** Justification paths that are not named as such in the draft. */
const DRAFT_FIELD: Record<string, string> = { handling: 'handlingConditions', counterparts: 'counterpartUserIds' };

export function justificationFitsLog(canonical: string): void {
  const bytes = new TextEncoder().encode(canonical).length;
  // Ensure the signed record fits the leaf that must carry it whole.
  if (bytes <= MAX_JUSTIFICATION_BYTES) return;
  const largest = largestString(JSON.parse(canonical));
  const top = largest.path.split('.')[0]!;
  const field = DRAFT_FIELD[top] ?? top;
  throw new Invalid(
    `The justification would be ${bytes} bytes, more than the ${MAX_JUSTIFICATION_BYTES} its log entry can carry (a log entry may have at most ${MAX_LEAF_BYTES} bytes); shorten ${field} (${largest.bytes} bytes)`,
    field,
  );
}
