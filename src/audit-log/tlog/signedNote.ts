/** @module C2SP signed-note with Ed25519 (WebCrypto): signing, verifier keys ("vkeys"), and fail-closed opening. */
import { fromBase64, toBase64 } from '../../crypto/base64url';
import { ed25519Sign, ed25519Verify } from '../../crypto/ed25519';
import { sha256Sync } from '../../crypto/sha256';

const SIGNATURE_PREFIX = '— '; // U+2014 EM DASH, then a space.
const encoder = new TextEncoder();

/** Algorithm bytes in key ids: 0x01 Ed25519 note signatures, 0x04 Ed25519 cosignatures (tlog-cosignature). */
export const ALG_ED25519 = 0x01;
export const ALG_COSIGNATURE_V1 = 0x04;

export interface NoteSigner {
  name: string;
  privateKey: CryptoKey;
  publicKey: Uint8Array;
}

export interface NoteVerifier {
  name: string;
  publicKey: Uint8Array;
}

/** Key id = SHA-256(name ‖ "\n" ‖ alg ‖ public key)[:4]. */
export function keyId(name: string, alg: number, publicKey: Uint8Array): Uint8Array {
  return sha256Sync(`${name}\n`, new Uint8Array([alg]), publicKey).slice(0, 4);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The standard verifier key string "<name>+<hex key id>+<base64(alg ‖ public key)>". */
export function noteVerifierKey(name: string, publicKey: Uint8Array, alg = ALG_ED25519): string {
  const material = new Uint8Array(1 + publicKey.length);
  material[0] = alg;
  material.set(publicKey, 1);
  return `${name}+${hex(keyId(name, alg, publicKey))}+${toBase64(material)}`;
}

export function parseVerifierKey(vkey: string): { name: string; alg: number; publicKey: Uint8Array } {
  // The base64 key may itself contain '+', so split on the first two only.
  const match = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!match) throw new Error('a verifier key has the form <name>+<hex key id>+<base64 key>');
  const [, name, id, key] = match as unknown as [string, string, string, string];
  const material = fromBase64(key);
  const alg = material[0] ?? -1;
  const publicKey = material.subarray(1);
  if ((alg !== ALG_ED25519 && alg !== ALG_COSIGNATURE_V1) || publicKey.length !== 32) throw new Error('only Ed25519 verifier keys are supported');
  if (hex(keyId(name, alg, publicKey)) !== id.toLowerCase()) throw new Error('verifier key id does not match its name and key');
  return { name, alg, publicKey: new Uint8Array(publicKey) };
}

/** Signs `text` (which must end in a newline) and returns the note: text, blank line, signature line. */
export async function signNote(text: string, signer: NoteSigner): Promise<string> {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const signature = await ed25519Sign(signer.privateKey, encoder.encode(text));
  const payload = new Uint8Array(4 + signature.length);
  payload.set(keyId(signer.name, ALG_ED25519, signer.publicKey));
  payload.set(signature, 4);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${toBase64(payload)}\n`;
}

export interface SignatureLine {
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
  line: string;
}

/** Splits a note into its text and signature lines without verifying anything. */
export function splitNote(note: string): { text: string; signatures: SignatureLine[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!match) throw new Error(`malformed signature line: "${line}"`);
      const bytes = fromBase64(match[2]!);
      if (bytes.length < 5) throw new Error(`signature line too short: "${line}"`);
      return { name: match[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4), line };
    });
  return { text, signatures };
}

/**
 * Opens a note: fails closed unless `verifier` signed it and the signature verifies.
 * Returns the text and the other (unverified here) signature lines, e.g. witness cosignatures.
 */
export async function openNote(note: string, verifier: NoteVerifier): Promise<{ text: string; others: SignatureLine[] }> {
  const { text, signatures } = splitNote(note);
  const expectedId = hex(keyId(verifier.name, ALG_ED25519, verifier.publicKey));
  const mine = signatures.filter((s) => s.name === verifier.name && hex(s.keyId) === expectedId);
  if (mine.length === 0) throw new Error(`the note carries no signature by ${verifier.name} with key id ${expectedId}`);
  for (const s of mine) {
    if (!(await ed25519Verify(verifier.publicKey, s.signature, encoder.encode(text)))) throw new Error(`the signature by ${verifier.name} does not verify`);
  }
  return { text, others: signatures.filter((s) => !mine.includes(s)) };
}
