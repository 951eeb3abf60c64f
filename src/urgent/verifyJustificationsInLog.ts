/**
 * @module Re-verifies every `urgent_contact.opened` leaf's signed justification from log leaves alone: the canonical
 * text hashes to the recorded hash, the challenge derives from it, and the WebAuthn assertion (user verification
 * required) verifies against the key of the requester's own passkey as its `passkey.added` leaf logged it — added
 * before the opening, not revoked before it. No database: `verify-log` runs it on an export.
 */
import { canonicalJustification, type Justification } from './justification';
import { passkeysInLog, signingPasskey, type LogLeafText } from './passkeysInLog';
import { verifyJustificationSignature } from './verifyJustification';

export interface JustificationFailure {
  /** Log index of the `urgent_contact.opened` leaf. */
  index: number;
  problem: string;
}

export interface JustificationsVerdict {
  /** Openings whose justification verified against a logged key. */
  verified: number;
  failures: JustificationFailure[];
}

interface OpenedDetails {
  justification?: Justification;
  justificationHash?: string;
  assertion?: { credentialId?: string; authenticatorData?: string; clientDataJSON?: string; signature?: string };
}

/** `firstIndex`: where the entries given start, so a missing passkey can be explained by an export's range. */
export async function verifyJustificationsInLog(entries: LogLeafText[], options: { firstIndex?: number } = {}): Promise<JustificationsVerdict> {
  const passkeys = passkeysInLog(entries);
  const missingHint = options.firstIndex ? ` (the export starts at log index ${options.firstIndex}; was the passkey registered before it?)` : '';
  const failures: JustificationFailure[] = [];
  let verified = 0;
  for (const entry of entries) {
    let leaf: { type?: string; details?: OpenedDetails };
    try {
      leaf = JSON.parse(entry.data) as typeof leaf;
    } catch {
      continue; // Its inclusion proof fails, and is reported there.
    }
    if (leaf?.type !== 'urgent_contact.opened') continue;
    const problem = await verifyOpenedLeaf(entry.index, leaf.details ?? {}, passkeys, missingHint);
    if (problem) failures.push({ index: entry.index, problem });
    else verified += 1;
  }
  return { verified, failures };
}

async function verifyOpenedLeaf(index: number, details: OpenedDetails, passkeys: ReturnType<typeof passkeysInLog>, missingHint: string): Promise<string | undefined> {
  const { justification, justificationHash, assertion } = details;
  // Ensure the leaf carries the whole signed record.
  if (!justification || typeof justification !== 'object') return 'the opening carries no justification';
  if (typeof justificationHash !== 'string') return 'the opening carries no justification hash';
  const { credentialId, authenticatorData, clientDataJSON, signature } = assertion ?? {};
  if (![credentialId, authenticatorData, clientDataJSON, signature].every((v) => typeof v === 'string')) return 'the opening carries no complete WebAuthn assertion';

  const requesterUserId = String(justification.requester?.userId);
  const passkey = signingPasskey(passkeys, { credentialId: credentialId!, requesterUserId, openedAt: index, missingHint });
  if ('problem' in passkey) return passkey.problem;
  // The leaf is canonical JSON, so re-canonicalising its justification gives back the exact text that was signed.
  const verdict = await verifyJustificationSignature(
    {
      justification: canonicalJustification(justification),
      justificationHash,
      credentialId: credentialId!,
      authenticatorData: authenticatorData!,
      clientDataJson: clientDataJSON!,
      signature: signature!,
      credentialPublicKey: passkey.key.coseKey,
    },
    { origin: passkey.key.origin, rpId: passkey.key.rpId },
  );
  if (verdict.valid) return undefined;
  return `${verdict.problem ?? 'the passkey signature does not verify'} (key of credential ${credentialId} logged at index ${passkey.addedAt})`;
}
