/**
 * @module The signer's own record of the last tree it signed, and the storage it lives in. It is kept outside the
 * database the log is written to (beside the signing key on Node, in the LogSequencer object's storage on Workers),
 * so that write access to the database alone cannot make the signer forget what it already signed.
 */

/** The last checkpoint the log's key signed: its tree size, its root hash and the signed note itself. */
export interface SignedHead {
  size: number;
  rootHash: Uint8Array;
  /** The C2SP signed note (checkpoint body, blank line, the log's signature), without witness cosignatures. */
  note: string;
  /** When it was signed (ms since the epoch). */
  signedAt: number;
}

/**
 * Where a runtime keeps the signer's record. Writes must be atomic (a crash leaves the old record or the new one),
 * and `exclusive` must keep any other signer that shares the record (another process on the same machine) from
 * reading or writing it while `work` runs.
 */
export interface SignedHeadStore {
  /** The record, or undefined when there is none yet (a fresh installation, or one from before the record existed). */
  read(): Promise<SignedHead | undefined>;
  write(head: SignedHead): Promise<void>;
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}
