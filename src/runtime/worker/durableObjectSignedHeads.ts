/**
 * @module The signer's record on Workers: one key in the LogSequencer object's own storage, which no D1 write can
 * reach. The object is the only signer and runs one issuance at a time, so `exclusive` has no one else to exclude.
 */
import type { SignedHead, SignedHeadStore } from '../../audit-log/signedHead';

/** The storage key of the record (a structured-clone object: size, rootHash as bytes, note, signedAt). */
export const SIGNED_HEAD_KEY = 'signedHead';

export function durableObjectSignedHeads(storage: DurableObjectStorage): SignedHeadStore {
  return {
    read: () => storage.get<SignedHead>(SIGNED_HEAD_KEY),
    // A single put is atomic and durable before its promise settles.
    write: (head) => storage.put(SIGNED_HEAD_KEY, { size: head.size, rootHash: head.rootHash, note: head.note, signedAt: head.signedAt }),
    exclusive: (work) => work(),
  };
}
