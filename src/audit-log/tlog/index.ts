/** @module The storage-agnostic transparency-log core: RFC 9162 Merkle trees and C2SP checkpoint, signed-note, cosignature formats. */
export { leafHash, nodeHash, emptyRoot, equalBytes } from './hashing';
export { rangeNodeIds, splitPoint, type NodeId, type NodeReader } from './nodeId';
export { appendLeaves, frontierNodeIds, rootFromFrontier, type Frontier } from './frontier';
export { inclusionProof, consistencyProof, rootAt } from './proofs';
export { verifyInclusion, verifyConsistency, rootFromInclusionProof } from './verify';
export { formatCheckpoint, parseCheckpoint, type CheckpointBody } from './checkpoint';
export { signNote, openNote, splitNote, noteVerifierKey, parseVerifierKey, keyId, type NoteSigner, type NoteVerifier } from './signedNote';
export { cosignCheckpoint, verifyCosignature, witnessVerifierKey } from './cosignature';
