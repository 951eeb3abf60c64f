/**
 * @module The case view's signature check: the contact's stored assertion re-verified against the signing passkey's
 * key as its `passkey.added` log leaf recorded it — not the row's `credential_public_key`, which anyone with write
 * access to the database could swap for a key of their own — and the row's copy compared with the logged one.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { LoggedPasskeyKey } from '../auth/loggedPasskeyKey';
import { logEntries } from '../audit-log/tables';
import type { Platform } from '../platform';
import type { Database } from '../storage/database';
import { passkeysInLog, signingPasskey } from '../urgent/passkeysInLog';
import { verifyJustificationSignature, type SignedJustification } from '../urgent/verifyJustification';

export interface CaseSignature {
  /** Whether the assertion verifies (with user verification) against the key named by `keySource`. */
  valid: boolean;
  problem?: string;
  credentialId: string;
  /** `log`: the key from the passkey's `passkey.added` leaf. `database`: that leaf predates logged keys. */
  keySource: 'log' | 'database';
  /** The key as the log recorded it, for an API client to re-verify the assertion itself; null when not logged. */
  loggedKey: (LoggedPasskeyKey & { logIndex: number }) | null;
  /** Set when the database's copy of the key cannot be trusted: it disagrees with the log, or the log has none. */
  keyProblem?: string;
}

/** The credential's `passkey.added` / `passkey.revoked` leaves, found through the credential subject index. */
export function passkeyEntries(database: Database, credentialId: string) {
  return database.db
    .select({ index: logEntries.idx, data: logEntries.data })
    .from(logEntries)
    .where(and(inArray(logEntries.type, ['passkey.added', 'passkey.revoked']), eq(sql`json_extract(${logEntries.data}, '$.subject.credentialId')`, credentialId)))
    .orderBy(asc(logEntries.idx));
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export async function verifyCaseSignature(
  services: Pick<Platform, 'database' | 'config'>,
  input: { signed: SignedJustification; openedAt: number | undefined },
): Promise<CaseSignature> {
  const { signed, openedAt } = input;
  const base = { credentialId: signed.credentialId, loggedKey: null };
  // Ensure the log records the opening this signature is for: the key is judged by its place in the log.
  if (openedAt === undefined) return { ...base, valid: false, keySource: 'log', problem: 'the log holds no urgent_contact.opened entry for this contact' };
  const entries = await passkeyEntries(services.database, signed.credentialId);
  const requesterUserId = String((JSON.parse(signed.justification) as { requester?: { userId?: string } }).requester?.userId);
  const passkey = signingPasskey(passkeysInLog(entries), { credentialId: signed.credentialId, requesterUserId, openedAt });

  // A passkey from before keys were logged: only the database's copy exists. Say so rather than vouch for it.
  if ('problem' in passkey && passkey.legacy) {
    const verdict = await verifyJustificationSignature(signed, services.config);
    return { ...base, ...verdict, keySource: 'database', keyProblem: `${passkey.problem}; checked against the database's copy of the key, which the log does not vouch for` };
  }
  if ('problem' in passkey) return { ...base, valid: false, keySource: 'log', problem: passkey.problem };

  const { coseKey, ...logged } = passkey.key;
  const verdict = await verifyJustificationSignature({ ...signed, credentialPublicKey: coseKey }, { origin: logged.origin, rpId: logged.rpId });
  const keyProblem = sameBytes(new Uint8Array(signed.credentialPublicKey), coseKey)
    ? undefined
    : `the database's copy of the passkey's public key (urgent_contacts.credential_public_key) differs from the key logged at index ${passkey.addedAt}: the database was altered; the signature was checked against the logged key`;
  return { ...base, ...verdict, keySource: 'log', loggedKey: { ...logged, logIndex: passkey.addedAt }, ...(keyProblem ? { keyProblem } : {}) };
}
