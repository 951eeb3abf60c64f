/**
 * @module The passkeys as the log records them — who added each, its key, when it was revoked — and the one rule
 * for which logged key may vouch for a justification: the requester's own passkey, added before the opening and not
 * revoked before it. The offline verifier and the compliance case view both decide with it, never with the database.
 */
import { readLoggedPasskeyKey, type LoggedPasskeyKey } from '../auth/loggedPasskeyKey';

/** A log leaf as stored and exported: its index and its canonical JSON text. */
export interface LogLeafText {
  index: number;
  data: string;
}

export interface PasskeyInLog {
  /** Index of its (first) `passkey.added` leaf. */
  addedAt: number;
  userId: string;
  /** Absent when the leaf predates logged keys (`legacy`) or is malformed (`keyProblem`). */
  key?: LoggedPasskeyKey & { coseKey: Uint8Array };
  legacy?: boolean;
  keyProblem?: string;
  /** Index of its first `passkey.revoked` leaf, if any. */
  revokedAt?: number;
}

interface PasskeyLeaf {
  type?: string;
  subject?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

function parseLeaf(data: string): PasskeyLeaf | undefined {
  try {
    const leaf = JSON.parse(data) as unknown;
    return leaf && typeof leaf === 'object' ? (leaf as PasskeyLeaf) : undefined;
  } catch {
    // Not JSON: its inclusion proof fails and is reported there.
    return undefined;
  }
}

/** Every credential's `passkey.added` and `passkey.revoked` leaves among `entries` (in any order), by credential id. */
export function passkeysInLog(entries: Iterable<LogLeafText>): Map<string, PasskeyInLog> {
  const sorted = [...entries].sort((a, b) => a.index - b.index);
  const passkeys = new Map<string, PasskeyInLog>();
  for (const entry of sorted) {
    const leaf = parseLeaf(entry.data);
    const credentialId = leaf?.subject?.credentialId;
    if (!leaf || typeof credentialId !== 'string') continue;
    if (leaf.type === 'passkey.added' && !passkeys.has(credentialId)) {
      const passkey: PasskeyInLog = { addedAt: entry.index, userId: String(leaf.subject!.userId) };
      try {
        passkey.key = readLoggedPasskeyKey(leaf.details ?? {});
        passkey.legacy = passkey.key === undefined;
        if (passkey.key && passkey.key.credentialId !== credentialId) passkey.keyProblem = `its key names credential ${passkey.key.credentialId}`;
      } catch (error) {
        passkey.keyProblem = (error as Error).message;
      }
      if (passkey.keyProblem) delete passkey.key;
      passkeys.set(credentialId, passkey);
    }
    if (leaf.type === 'passkey.revoked') {
      const passkey = passkeys.get(credentialId);
      if (passkey && passkey.revokedAt === undefined) passkey.revokedAt = entry.index;
    }
  }
  return passkeys;
}

export type SigningPasskey =
  | { key: LoggedPasskeyKey & { coseKey: Uint8Array }; addedAt: number }
  /** `legacy`: the only problem is that the passkey was added before keys were logged; the database has the key. */
  | { problem: string; addedAt?: number; legacy?: true };

/**
 * The logged key that may verify a justification opened at log index `openedAt`, or why none may. `missingHint`
 * words the case of a credential with no `passkey.added` leaf at all (e.g. an export that starts after it).
 */
export function signingPasskey(
  passkeys: Map<string, PasskeyInLog>,
  input: { credentialId: string; requesterUserId: string; openedAt: number; missingHint?: string },
): SigningPasskey {
  const { credentialId, requesterUserId, openedAt } = input;
  const passkey = passkeys.get(credentialId);
  // Ensure the log records the passkey at all, and before the opening it signed.
  if (!passkey) return { problem: `credential ${credentialId} has no passkey.added entry in the log${input.missingHint ?? ''}` };
  const { addedAt } = passkey;
  if (addedAt > openedAt) return { problem: `credential ${credentialId} was added at log index ${addedAt}, after this opening`, addedAt };
  // Ensure it is the requester's own passkey: another user's signature does not vouch for these grounds.
  if (passkey.userId !== requesterUserId) {
    return { problem: `credential ${credentialId} was added for user ${passkey.userId} (log index ${addedAt}), not for the requester ${requesterUserId}`, addedAt };
  }
  // Ensure the user had not disowned it (a lost laptop) before it signed.
  if (passkey.revokedAt !== undefined && passkey.revokedAt < openedAt) {
    return { problem: `credential ${credentialId} was revoked at log index ${passkey.revokedAt}, before this opening`, addedAt };
  }
  if (passkey.legacy) return { problem: `the passkey's key was registered before keys were logged (log index ${addedAt}); re-verify needs the database`, addedAt, legacy: true };
  if (!passkey.key) return { problem: `the passkey.added entry at log index ${addedAt} is malformed: ${passkey.keyProblem}`, addedAt };
  return { key: passkey.key, addedAt };
}
