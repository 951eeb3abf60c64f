// PLACEHOLDER until the tlog core lands: minimal RFC 6962 hashing and frontier append.
import { createHash } from 'node:crypto';

export type Frontier = Uint8Array[];
export interface NodeId { level: number; index: number }

export function leafHash(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(new Uint8Array([0])).update(data).digest());
}
export function nodeHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(new Uint8Array([1])).update(l).update(r).digest());
}
export function frontierNodeIds(size: number): NodeId[] {
  const ids: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const span = 2 ** level;
    if (Math.floor(size / span) % 2 === 1) {
      ids.push({ level, index: start / span });
      start += span;
    }
  }
  return ids;
}
export function appendLeaves(frontier: Frontier, size: number, hashes: Uint8Array[]) {
  const stack = [...frontier];
  const newNodes: Array<{ level: number; index: number; hash: Uint8Array }> = [];
  let n = size;
  for (const h of hashes) {
    let hash = h;
    let level = 0;
    let index = n;
    newNodes.push({ level, index, hash });
    while (index % 2 === 1) {
      hash = nodeHash(stack.pop()!, hash);
      level += 1;
      index = (index - 1) / 2;
      newNodes.push({ level, index, hash });
    }
    stack.push(hash);
    n += 1;
  }
  return { frontier: stack, size: n, newNodes };
}
