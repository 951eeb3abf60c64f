// Known answers (RFC 6962 reference vectors) and property tests for hashing, appends, proofs and verification.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendLeaves, consistencyProof, inclusionProof, leafHash, rootAt, rootFromFrontier, verifyConsistency, verifyInclusion, type NodeReader } from './index';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

// The eight leaves and tree roots used by certificate-transparency and transparency-dev/merkle test data.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

// ---- An independent reference, written straight from RFC 9162 §2.1 with no shared code. ----
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const k = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(new Uint8Array([0]), d[0]!);
  const s = k(d.length);
  return sha(new Uint8Array([1]), mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const s = k(n);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

/** Builds a tree through the real append path and keeps its stored nodes in memory. */
function buildTree(leaves: Uint8Array[]): { reader: NodeReader; roots: Uint8Array[] } {
  const nodes = new Map<string, Uint8Array>();
  const roots: Uint8Array[] = [];
  let state = { frontier: [] as Uint8Array[], size: 0 };
  for (const leaf of leaves) {
    const next = appendLeaves(state.frontier, state.size, [leafHash(leaf)]);
    for (const n of next.newNodes) nodes.set(`${n.level}/${n.index}`, n.hash);
    state = next;
    roots.push(rootFromFrontier(state.frontier)!);
  }
  return {
    roots,
    reader: {
      async getNodes(ids) {
        return ids.map((id) => {
          const h = nodes.get(`${id.level}/${id.index}`);
          if (!h) throw new Error(`missing ${id.level}/${id.index}`);
          return h;
        });
      },
    },
  };
}

const flipBit = (b: Uint8Array, bit: number) => {
  const c = new Uint8Array(b);
  c[Math.floor(bit / 8) % c.length]! ^= 1 << bit % 8;
  return c;
};

describe('RFC 6962 known answers', () => {
  it('computes the reference roots for sizes 1..8, by append and by stored nodes', async () => {
    const { roots, reader } = buildTree(LEAVES);
    expect(roots.map(hex)).toEqual(ROOTS);
    for (let size = 1; size <= 8; size++) expect(hex(await rootAt(size, reader))).toBe(ROOTS[size - 1]);
    expect(hex(await rootAt(0, reader))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with the RFC reference for every inclusion and consistency proof of the 8-leaf tree', async () => {
    const { reader } = buildTree(LEAVES);
    for (let n = 1; n <= 8; n++) {
      for (let m = 0; m < n; m++) expect((await inclusionProof(m, n, reader)).map(hex)).toEqual(path(m, LEAVES.slice(0, n)).map(hex));
      for (let m = 1; m < n; m++) expect((await consistencyProof(m, n, reader)).map(hex)).toEqual(subproof(m, LEAVES.slice(0, n), true).map(hex));
    }
  });
});

describe('proof properties', () => {
  const leavesArb = fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 300 });

  it('every inclusion proof verifies and any flipped bit breaks it', async () => {
    await fc.assert(
      fc.asyncProperty(leavesArb, fc.nat(), fc.nat(), fc.nat(), async (leaves, a, b, bit) => {
        const { reader, roots } = buildTree(leaves);
        const size = (a % leaves.length) + 1;
        const index = b % size;
        const root = roots[size - 1]!;
        const proof = await inclusionProof(index, size, reader);
        const lh = leafHash(leaves[index]!);
        expect(proof.map(hex)).toEqual(path(index, leaves.slice(0, size)).map(hex));
        expect(verifyInclusion({ leafHash: lh, index, size, proof, root })).toBe(true);
        expect(verifyInclusion({ leafHash: flipBit(lh, bit), index, size, proof, root })).toBe(false);
        expect(verifyInclusion({ leafHash: lh, index, size, proof, root: flipBit(root, bit) })).toBe(false);
        if (proof.length > 0) {
          const at = bit % proof.length;
          const bad = proof.map((p, i) => (i === at ? flipBit(p, bit) : p));
          expect(verifyInclusion({ leafHash: lh, index, size, proof: bad, root })).toBe(false);
        }
        expect(verifyInclusion({ leafHash: lh, index: size, size, proof, root })).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('every consistency proof verifies and any flipped bit breaks it', async () => {
    await fc.assert(
      fc.asyncProperty(leavesArb, fc.nat(), fc.nat(), fc.nat(), async (leaves, a, b, bit) => {
        const { reader, roots } = buildTree(leaves);
        const newSize = (a % leaves.length) + 1;
        const oldSize = (b % newSize) + 1;
        const proof = await consistencyProof(oldSize, newSize, reader);
        expect(proof.map(hex)).toEqual(subproof(oldSize, leaves.slice(0, newSize), true).map(hex));
        const input = { oldSize, newSize, oldRoot: roots[oldSize - 1]!, newRoot: roots[newSize - 1]!, proof };
        expect(verifyConsistency(input)).toBe(true);
        expect(hex(roots[newSize - 1]!)).toBe(hex(mth(leaves.slice(0, newSize))));
        if (oldSize === newSize) return;
        expect(verifyConsistency({ ...input, oldRoot: flipBit(input.oldRoot, bit) })).toBe(false);
        expect(verifyConsistency({ ...input, newRoot: flipBit(input.newRoot, bit) })).toBe(false);
        const at = bit % proof.length;
        expect(verifyConsistency({ ...input, proof: proof.map((p, i) => (i === at ? flipBit(p, bit) : p)) })).toBe(false);
        expect(verifyConsistency({ ...input, proof: proof.slice(1) })).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects nonsense sizes without throwing', () => {
    const h = new Uint8Array(32);
    expect(verifyInclusion({ leafHash: h, index: 5, size: 3, proof: [], root: h })).toBe(false);
    expect(verifyInclusion({ leafHash: h, index: -1, size: 3, proof: [], root: h })).toBe(false);
    expect(verifyConsistency({ oldSize: 4, newSize: 2, oldRoot: h, newRoot: h, proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 2, newSize: 4, oldRoot: h, newRoot: h, proof: [] })).toBe(false);
    expect(verifyInclusion({ leafHash: new Uint8Array(31), index: 0, size: 1, proof: [], root: h })).toBe(false);
  });
});
