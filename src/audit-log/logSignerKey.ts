/** @module The log's signing key from its PKCS#8 form (a PEM file on Node, a `wrangler secret` on Workers). */
import { fromBase64, fromBase64Url, toBase64 } from '../crypto/base64url';
import type { LogSigner } from './logSigner';

const PEM_LABEL = 'PRIVATE KEY';

export function pkcs8ToPem(pkcs8: Uint8Array): string {
  return `-----BEGIN ${PEM_LABEL}-----\n${toBase64(pkcs8)}\n-----END ${PEM_LABEL}-----\n`;
}

/** Accepts a PEM block or bare base64 of an Ed25519 PKCS#8 private key; `what` names its source in errors. */
export async function logSignerFromPem(pem: string, name: string, what: string): Promise<LogSigner> {
  const base64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('pkcs8', fromBase64(base64) as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, true, ['sign']);
  } catch {
    throw new Error(`${what} does not hold an Ed25519 private key (PKCS#8, PEM or base64)`);
  }
  // The public half is derived from the private key's JWK ('x' is the raw public key, RFC 8037).
  const jwk = (await crypto.subtle.exportKey('jwk', privateKey)) as JsonWebKey;
  if (!jwk.x) throw new Error(`${what} does not hold an Ed25519 private key`);
  return { name, privateKey, publicKey: fromBase64Url(jwk.x) };
}

/** A fresh signing key, as PEM (first start on Node; `npm run dev:worker` for the local secret). */
export async function generateLogSigningKeyPem(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return pkcs8ToPem(new Uint8Array((await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer));
}
