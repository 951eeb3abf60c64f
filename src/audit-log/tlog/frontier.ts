/** @module The right edge of the tree (a compact range): what an append needs, so appending costs O(log n) work and ~2 node writes. */
import { nodeHash } from './hashing';
import { rangeNodeIds, type NodeId } from './nodeId';

/** Hashes of the perfect subtrees on the right edge, largest (leftmost) first: one per set bit of the size. */
export type Frontier = Uint8Array[];

export function frontierNodeIds(size: number): NodeId[] {
  return rangeNodeIds(0, size);
}

export interface AppendResult {
  frontier: Frontier;
  size: number;
  /** Every perfect subtree completed by the appends, level-0 leaf hashes included: the rows to store. */
  newNodes: Array<NodeId & { hash: Uint8Array }>;
}

export function appendLeaves(frontier: Frontier, size: number, leafHashes: readonly Uint8Array[]): AppendResult {
  const stack = [...frontier];
  const newNodes: AppendResult['newNodes'] = [];
  let n = size;
  for (const leaf of leafHashes) {
    let hash = leaf;
    let level = 0;
    let index = n;
    newNodes.push({ level, index, hash });
    // Each trailing 1-bit of the old size is a left sibling waiting on the stack: merge upwards.
    while (index % 2 === 1) {
      const left = stack.pop();
      if (!left) throw new Error(`frontier too short for size ${size}`);
      hash = nodeHash(left, hash);
      level += 1;
      index = (index - 1) / 2;
      newNodes.push({ level, index, hash });
    }
    stack.push(hash);
    n += 1;
  }
  return { frontier: stack, size: n, newNodes };
}

/** The tree root from the frontier: fold right to left (RFC 9162 MTH of the whole tree). */
export function rootFromFrontier(frontier: Frontier): Uint8Array | undefined {
  if (frontier.length === 0) return undefined;
  let hash = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) hash = nodeHash(frontier[i]!, hash);
  return hash;
}
