/**
 * @module The log's C2SP signed-note verifier key in the browser (https://github.com/C2SP/C2SP/blob/main/signed-note.md):
 * parsed with its key id checked against its name and public key, and a fingerprint short enough to read out.
 */
const VERIFIER_KEY = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/;
const ALG_ED25519 = 0x01;
const encoder = new TextEncoder();

export interface LogVerifierKey {
  /** The verifier key's text, "<name>+<hex key id>+<base64(alg ‖ public key)>", as it was pinned. */
  text: string;
  name: string;
  /** The 4-byte key id in hex, which every signature line by this key must carry. */
  keyId: string;
  publicKey: Uint8Array;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

/** Key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ Ed25519 public key)[:4], in hex. */
export async function ed25519KeyId(name: string, publicKey: Uint8Array): Promise<string> {
  return hex((await sha256(encoder.encode(`${name}\n`), new Uint8Array([ALG_ED25519]), publicKey)).subarray(0, 4));
}

/** Fails unless the text is an Ed25519 verifier key whose key id matches its name and public key. */
export async function parseLogVerifierKey(text: string): Promise<LogVerifierKey> {
  const match = VERIFIER_KEY.exec(text);
  if (!match) throw new Error(`not a verifier key of the form <name>+<hex key id>+<base64 key>: "${text}"`);
  const [, name, keyId, encoded] = match as unknown as [string, string, string, string];
  const material = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  if (material[0] !== ALG_ED25519 || material.length !== 33) throw new Error(`verifier key ${name} is not an Ed25519 key`);
  const publicKey = material.subarray(1);
  const computed = await ed25519KeyId(name, publicKey);
  if (computed !== keyId) throw new Error(`verifier key ${name} claims key id ${keyId}, but its name and key give ${computed}`);
  return { text, name, keyId, publicKey };
}

/**
 * What a person compares with the operator's published key: the first 128 bits of SHA-256 over the key's text
 * (the first 32 hex digits of `printf %s "$VKEY" | sha256sum`), in groups of four. The 32-bit key id alone is
 * short enough for a forger to grind a key that shares it.
 */
export async function logKeyFingerprint(text: string): Promise<string> {
  return hex((await sha256(encoder.encode(text))).subarray(0, 16)).match(/.{4}/g)!.join(' ');
}
