/** @module The log's Ed25519 signing identity (C2SP signed-note key name = the log's origin line). */
export interface LogSigner {
  /** Key name, equal to the checkpoint origin line. */
  name: string;
  privateKey: CryptoKey;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}
