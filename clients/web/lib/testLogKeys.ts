/** @module Log signing keys for the web app's unit tests, made and used by the server's own signed-note code. */
import { noteVerifierKey, signNote } from '../../../src/audit-log/tlog';

export const LOG_NAME = 'exigent.test/log';
export const CHECKPOINT = `${LOG_NAME}\n5\nq6ST0bXCV6uYQ+3cKb3S3QkNHTk1bOGNDPA6GqQZSz8=\n`;

/** A fresh Ed25519 log key under `name`: its verifier key text and a signer for notes. */
export async function logKey(name = LOG_NAME) {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const signer = { name, privateKey: pair.privateKey, publicKey };
  return { publicKey, verifierKey: noteVerifierKey(name, publicKey), sign: (text: string) => signNote(text, signer) };
}
