/**
 * @module The justification an investigator signs with their passkey: a canonical (RFC 8785) JSON record of the
 * grounds and facts, its SHA-256, and the WebAuthn challenge derived from that hash and a server nonce — so an
 * assertion over the challenge is a signature over exactly this justification (docs/urgent-contact.md).
 */
import canonicalize from 'canonicalize';
import type { Ground, HandlingCode } from '../contact-record/tables';
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import { sha256Sync } from '../crypto/sha256';

export const JUSTIFICATION_KIND = 'exigent/urgent-contact-justification/v1';
const CHALLENGE_CONTEXT = 'exigent-justification-v1\n';

export interface Justification {
  kind: typeof JUSTIFICATION_KIND;
  requester: { userId: string; displayName: string; agencyId: string; agencyName: string; country: string };
  requestedCountry: string;
  counterparts: Array<{ userId: string; displayName: string; agencyName: string }>;
  grounds: Ground[];
  narrative: string;
  caseReference: string;
  offenceCategory: string;
  soughtInformation: string;
  handling: { code: HandlingCode; conditions: string | null };
  legalInstrument: string;
  issuedAt: string;
  /** 16 random bytes from the server, base64url: makes every challenge unique even for identical facts. */
  nonce: string;
}

export function canonicalJustification(justification: Justification): string {
  const text = canonicalize(justification);
  if (text === undefined) throw new Error('justification is not serialisable');
  return text;
}

export function justificationHash(canonical: string): Uint8Array {
  return sha256Sync(canonical);
}

/** challenge = SHA-256("exigent-justification-v1\n" ‖ SHA-256(canonical justification) ‖ nonce), base64url. */
export function justificationChallenge(canonical: string): string {
  const parsed = JSON.parse(canonical) as Pick<Justification, 'nonce'>;
  return toBase64Url(sha256Sync(CHALLENGE_CONTEXT, justificationHash(canonical), fromBase64Url(parsed.nonce)));
}
