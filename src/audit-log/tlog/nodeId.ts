/** @module Names of stored tree nodes: only perfect, aligned subtrees are stored; (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

export interface NodeReader {
  /** Hashes of the given stored nodes, in the same order; throws if one is missing. */
  getNodes(ids: NodeId[]): Promise<Uint8Array[]>;
}

/** Largest power of two strictly smaller than n (n ≥ 2), the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect aligned subtrees whose hashes, folded right to left, give MTH of leaves [start, end).
 * Ranges produced by RFC 9162's recursion always start on a boundary of their largest part, so the
 * decomposition is the binary expansion of the range's length, largest first.
 */
export function rangeNodeIds(start: number, end: number): NodeId[] {
  const ids: NodeId[] = [];
  let at = start;
  let remaining = end - start;
  while (remaining > 0) {
    let span = 1;
    while (span * 2 <= remaining && at % (span * 2) === 0) span *= 2;
    ids.push({ level: Math.log2(span), index: at / span });
    at += span;
    remaining -= span;
  }
  return ids;
}
