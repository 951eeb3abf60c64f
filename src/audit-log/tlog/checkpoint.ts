/** @module C2SP tlog-checkpoint bodies: "<origin>\n<size>\n<base64 root>\n[extension lines]". */
import { fromBase64, toBase64 } from '../../crypto/base64url';

export interface CheckpointBody {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function formatCheckpoint(body: CheckpointBody): string {
  if (!body.origin || body.origin.includes('\n')) throw new Error('checkpoint origin must be one non-empty line');
  if (body.rootHash.length !== 32) throw new Error(`checkpoint root hash must be 32 bytes, got ${body.rootHash.length}`);
  const extensions = body.extensions ?? [];
  return [body.origin, String(body.size), toBase64(body.rootHash), ...extensions].join('\n') + '\n';
}

/** Strict parse: throws with a message naming the line that is wrong. */
export function parseCheckpoint(text: string): CheckpointBody {
  if (!text.endsWith('\n')) throw new Error('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (!origin) throw new Error('checkpoint origin line is empty');
  if (!size || !DECIMAL.test(size) || !Number.isSafeInteger(Number(size))) throw new Error(`checkpoint size line is not a decimal tree size: "${size}"`);
  if (!root || !/^[A-Za-z0-9+/]{43}=$/.test(root)) throw new Error('checkpoint root line is not a base64 SHA-256 hash');
  if (extensions.some((e) => e === '')) throw new Error('checkpoint extension lines must not be empty');
  return { origin, size: Number(size), rootHash: fromBase64(root), extensions };
}
