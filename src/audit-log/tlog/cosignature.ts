/** @module C2SP tlog-cosignature v1 (Ed25519): a witness's timestamped signature over "cosignature/v1\ntime T\n" ‖ checkpoint body. */
import { toBase64 } from '../../crypto/base64url';
import { ed25519Sign, ed25519Verify } from '../../crypto/ed25519';
import { ALG_COSIGNATURE_V1, keyId, noteVerifierKey, splitNote, type NoteSigner } from './signedNote';

const encoder = new TextEncoder();

function cosignedMessage(body: string, timestamp: number): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

export function witnessVerifierKey(name: string, publicKey: Uint8Array): string {
  return noteVerifierKey(name, publicKey, ALG_COSIGNATURE_V1);
}

/** Returns the signature line "— <name> base64(key id ‖ u64 timestamp ‖ signature)". */
export async function cosignCheckpoint(body: string, witness: NoteSigner, timestamp: number): Promise<string> {
  const signature = await ed25519Sign(witness.privateKey, cosignedMessage(body, timestamp));
  const payload = new Uint8Array(4 + 8 + 64);
  payload.set(keyId(witness.name, ALG_COSIGNATURE_V1, witness.publicKey));
  new DataView(payload.buffer).setBigUint64(4, BigInt(timestamp));
  payload.set(signature, 12);
  return `— ${witness.name} ${toBase64(payload)}`;
}

/** Verifies one cosignature line for `body`; returns its timestamp, or undefined when it does not verify. */
export async function verifyCosignature(body: string, line: string, publicKey: Uint8Array, name: string): Promise<number | undefined> {
  let parsed;
  try {
    [parsed] = splitNote(`x\n\n${line}\n`).signatures;
  } catch {
    return undefined;
  }
  if (!parsed || parsed.name !== name || parsed.signature.length !== 72) return undefined;
  const expected = keyId(name, ALG_COSIGNATURE_V1, publicKey);
  if (!parsed.keyId.every((b, i) => b === expected[i])) return undefined;
  const view = new DataView(parsed.signature.buffer, parsed.signature.byteOffset, 8);
  const timestamp = Number(view.getBigUint64(0));
  const ok = await ed25519Verify(publicKey, parsed.signature.subarray(8), cosignedMessage(body, timestamp));
  return ok ? timestamp : undefined;
}
