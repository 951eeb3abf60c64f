/**
 * @module Verifies the log's latest checkpoint in the browser with libsodium, independently of the server's own
 * word: the C2SP signed note must name the pinned log, and carry a signature line with the pinned key's name and
 * key id whose Ed25519 signature verifies (https://github.com/C2SP/C2SP/blob/main/signed-note.md#signatures).
 */
import { sodiumReady } from '../../sdk/crypto';
import type { LogVerifierKey } from './logVerifierKey';

const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/;

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export interface CheckpointVerdict {
  valid: boolean;
  size: number | null;
  rootHash: string | null;
  problem?: string;
}

export async function verifyCheckpointNote(note: string, key: LogVerifierKey): Promise<CheckpointVerdict> {
  const sodium = await sodiumReady();
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { valid: false, size: null, rootHash: null, problem: 'not a signed note' };
  const text = note.slice(0, split + 1);
  const [origin, size, rootHash] = text.split('\n');
  const body = { size: Number(size), rootHash: rootHash ?? null };
  // The checkpoint's first line names its log: a note from another log proves nothing about this one.
  if (origin !== key.name) return { valid: false, ...body, problem: `the checkpoint is for log "${origin}", expected "${key.name}"` };
  // Only lines with the pinned key's name and id count (C2SP: verifiers ignore signatures by unknown keys); another
  // key under the same name, or the pinned key's signature relabelled, must not pass for the pinned key.
  const mine = note
    .slice(split + 2)
    .split('\n')
    .map((line) => SIGNATURE_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === key.name)
    .map((m) => fromBase64(m[2]!))
    .filter((bytes) => bytes.length === 68 && hex(bytes.subarray(0, 4)) === key.keyId);
  if (mine.length === 0) return { valid: false, ...body, problem: `no signature by ${key.name} with key id ${key.keyId}` };
  const message = new TextEncoder().encode(text);
  if (!mine.every((bytes) => sodium.crypto_sign_verify_detached(bytes.subarray(4), message, key.publicKey))) {
    return { valid: false, ...body, problem: `the signature by ${key.name} (key id ${key.keyId}) does not verify` };
  }
  return { valid: true, ...body };
}
