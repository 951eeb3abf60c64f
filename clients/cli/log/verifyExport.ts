/**
 * @module The offline verifier of a log export (JSON Lines): checkpoint signature, k-of-n witness
 * cosignatures, every entry's inclusion proof, consistency with an older checkpoint, and every urgent contact's
 * signed justification re-verified against the passkey key its `passkey.added` entry logged. Needs no server.
 */
import { fromBase64 } from '../../../src/crypto/base64url';
import { leafHash, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, verifyCosignature, verifyInclusion } from '../../../src/audit-log/tlog';
import type { ExportLine } from '../../../src/audit-log/exportLog';
import type { LogLeafText } from '../../../src/urgent/passkeysInLog';
import { verifyJustificationsInLog } from '../../../src/urgent/verifyJustificationsInLog';

export interface VerifyOptions {
  /** The log's verifier key (vkey). */
  logKey: string;
  /** Witness verifier keys (alg 0x04) and how many of them must have cosigned. */
  witnessKeys?: string[];
  witnessesRequired?: number;
  /** An older signed checkpoint note the export must be consistent with. */
  previousNote?: string;
}

export interface VerifyVerdict {
  ok: boolean;
  treeSize?: number;
  entriesVerified: number;
  /** `urgent_contact.opened` entries whose WebAuthn-signed justification verified against a key from the log. */
  justificationsVerified: number;
  witnessesVerified: string[];
  failures: string[];
}

const encoder = new TextEncoder();

export async function verifyExport(jsonl: string, options: VerifyOptions): Promise<VerifyVerdict> {
  const failures: string[] = [];
  const verdict = (extra: Partial<VerifyVerdict> = {}): VerifyVerdict => ({ ok: failures.length === 0, entriesVerified: 0, justificationsVerified: 0, witnessesVerified: [], failures, ...extra });
  let lines: ExportLine[];
  try {
    lines = jsonl.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ExportLine);
  } catch (error) {
    failures.push(`the export is not valid JSON Lines: ${(error as Error).message}`);
    return verdict();
  }
  const first = lines[0];
  if (!first || first.kind !== 'checkpoint') {
    failures.push('the export does not start with a checkpoint line');
    return verdict();
  }

  // The checkpoint must carry a valid signature by the log key we were given.
  const logKey = parseVerifierKey(options.logKey);
  let text: string;
  let others: Awaited<ReturnType<typeof openNote>>['others'];
  try {
    ({ text, others } = await openNote(first.note, logKey));
  } catch (error) {
    failures.push(`checkpoint signature: ${(error as Error).message}`);
    return verdict();
  }
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== logKey.name) failures.push(`checkpoint origin "${checkpoint.origin}" is not the key's name "${logKey.name}"`);

  // Witnesses: count distinct configured witnesses whose cosignature verifies over this very body.
  const witnessesVerified: string[] = [];
  for (const vkey of options.witnessKeys ?? []) {
    const witness = parseVerifierKey(vkey);
    for (const line of others.filter((o) => o.name === witness.name)) {
      if ((await verifyCosignature(text, line.line, witness.publicKey, witness.name)) !== undefined) {
        witnessesVerified.push(witness.name);
        break;
      }
    }
  }
  const required = options.witnessesRequired ?? 0;
  if (witnessesVerified.length < required) failures.push(`only ${witnessesVerified.length} of the required ${required} witness cosignatures verify`);

  // Consistency with an older checkpoint the reader already trusts.
  if (options.previousNote) {
    try {
      const previous = parseCheckpoint((await openNote(options.previousNote, logKey)).text);
      const line = lines.find((l): l is Extract<ExportLine, { kind: 'consistency' }> => l.kind === 'consistency' && l.fromSize === previous.size);
      if (!line) failures.push(`the export has no consistency proof from size ${previous.size}`);
      else if (
        !verifyConsistency({ oldSize: previous.size, newSize: checkpoint.size, oldRoot: previous.rootHash, newRoot: checkpoint.rootHash, proof: line.proof.map(fromBase64) })
      ) {
        failures.push(`the checkpoint of size ${checkpoint.size} is NOT consistent with the earlier checkpoint of size ${previous.size}`);
      }
    } catch (error) {
      failures.push(`previous checkpoint: ${(error as Error).message}`);
    }
  }

  // Every entry: its leaf hash, included at its index in the signed tree.
  const included = (line: { index: number; data: string; inclusionProof: string[] }) =>
    verifyInclusion({ leafHash: leafHash(encoder.encode(line.data)), index: line.index, size: checkpoint.size, proof: line.inclusionProof.map(fromBase64), root: checkpoint.rootHash });
  const provenLeaves: LogLeafText[] = [];
  let entriesVerified = 0;
  let expectedIndex: number | undefined;
  let firstIndex: number | undefined;
  for (const line of lines) {
    if (line.kind !== 'entry') continue;
    // Entries come in one contiguous run: a gap means a row was dropped from the export or the database.
    if (expectedIndex !== undefined && line.index !== expectedIndex && failures.length < 50) failures.push(`entry ${expectedIndex} is missing from the export`);
    expectedIndex = line.index + 1;
    firstIndex ??= line.index;
    if (included(line)) {
      entriesVerified += 1;
      provenLeaves.push(line);
    } else if (failures.length < 50) failures.push(`entry ${line.index}: inclusion proof does not verify against the checkpoint`);
  }
  // The passkey entries from before the range that its justifications need: proven like any other.
  for (const line of lines) {
    if (line.kind !== 'passkey') continue;
    if (included(line)) provenLeaves.push(line);
    else if (failures.length < 50) failures.push(`passkey entry ${line.index}: inclusion proof does not verify against the checkpoint`);
  }

  // Every justification, re-verified with only what the signed log says: no database, no server.
  const justifications = await verifyJustificationsInLog(provenLeaves, { firstIndex });
  for (const failure of justifications.failures) {
    if (failures.length < 50) failures.push(`entry ${failure.index}: justification not re-verified: ${failure.problem}`);
  }
  return verdict({ treeSize: checkpoint.size, entriesVerified, justificationsVerified: justifications.verified, witnessesVerified });
}
