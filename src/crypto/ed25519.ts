/** @module Ed25519 signing and fail-closed verification with WebCrypto (Node ≥ 20 and Workers alike). */
const ED25519 = { name: 'Ed25519' } as const;

export async function ed25519Sign(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, message as Uint8Array<ArrayBuffer>));
}

/** False, never an exception, for a malformed key or signature: callers treat every failure the same. */
export async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}
