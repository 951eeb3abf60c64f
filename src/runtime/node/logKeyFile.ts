/** @module Loads the log's Ed25519 signing key from its file, creating it (mode 0600) on first start. */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSigner } from '../../audit-log/logSigner';

const PEM_LABEL = 'PRIVATE KEY';

/**
 * The key lives in its own file, not in the database: someone who can rewrite the log tables must not
 * also be able to re-sign forged checkpoints.
 */
export async function loadOrCreateSigningKey(path: string, name: string): Promise<LogSigner> {
  if (!existsSync(path)) {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `-----BEGIN ${PEM_LABEL}-----\n${pkcs8.toString('base64')}\n-----END ${PEM_LABEL}-----\n`, { mode: 0o600, flag: 'wx' });
  }
  const pem = readFileSync(path, 'utf8');
  const base64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const privateKey = await crypto.subtle.importKey('pkcs8', Buffer.from(base64, 'base64'), { name: 'Ed25519' }, true, ['sign']);
  // The public half is derived from the private key's JWK ('x' is the raw public key, RFC 8037).
  const jwk = await crypto.subtle.exportKey('jwk', privateKey);
  if (!jwk.x) throw new Error(`${path} does not hold an Ed25519 private key`);
  return { name, privateKey, publicKey: new Uint8Array(Buffer.from(jwk.x, 'base64url')) };
}
