/**
 * @module Proof generation (RFC 9162 §2.1.3.1 inclusion PATH, §2.1.4.1 consistency SUBPROOF) over stored perfect subtrees.
 * Each proof first plans the ranges it needs, then reads every node in ONE batched storage call.
 */
import { emptyRoot, nodeHash } from './hashing';
import { rangeNodeIds, splitPoint, type NodeId, type NodeReader } from './nodeId';

type Range = [start: number, end: number];

function inclusionRanges(index: number, start: number, end: number, out: Range[]): void {
  if (end - start <= 1) return;
  const k = splitPoint(end - start);
  if (index - start < k) {
    inclusionRanges(index, start, start + k, out);
    out.push([start + k, end]);
  } else {
    inclusionRanges(index, start + k, end, out);
    out.push([start, start + k]);
  }
}

function consistencyRanges(m: number, start: number, end: number, complete: boolean, out: Range[]): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push([start, end]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    consistencyRanges(m, start, start + k, complete, out);
    out.push([start + k, end]);
  } else {
    consistencyRanges(m - k, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/** Reads all ranges' nodes at once and folds each range into its MTH. */
async function hashRanges(ranges: Range[], reader: NodeReader): Promise<Uint8Array[]> {
  const plans = ranges.map(([s, e]) => rangeNodeIds(s, e));
  const ids: NodeId[] = plans.flat();
  const hashes = await reader.getNodes(ids);
  let cursor = 0;
  return plans.map((plan) => {
    const parts = hashes.slice(cursor, cursor + plan.length);
    cursor += plan.length;
    let hash = parts[parts.length - 1]!;
    for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(parts[i]!, hash);
    return hash;
  });
}

export async function inclusionProof(index: number, size: number, reader: NodeReader): Promise<Uint8Array[]> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  const ranges: Range[] = [];
  inclusionRanges(index, 0, size, ranges);
  return hashRanges(ranges, reader);
}

export async function consistencyProof(oldSize: number, newSize: number, reader: NodeReader): Promise<Uint8Array[]> {
  if (oldSize < 0 || oldSize > newSize) throw new RangeError(`cannot prove consistency from size ${oldSize} to ${newSize}`);
  // PROOF(0, D) and PROOF(n, D[n]) are empty by definition.
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: Range[] = [];
  consistencyRanges(oldSize, 0, newSize, true, ranges);
  return hashRanges(ranges, reader);
}

export async function rootAt(size: number, reader: NodeReader): Promise<Uint8Array> {
  if (size === 0) return emptyRoot();
  const [root] = await hashRanges([[0, size]], reader);
  return root!;
}
