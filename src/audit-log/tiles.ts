/**
 * @module C2SP tlog-tiles read access (https://c2sp.org/tlog-tiles): hash tiles and entry bundles cut from stored
 * nodes and entries, bounded by the latest checkpoint, and the spec's tile path grammar — exactly, nothing looser.
 */
import { and, asc, between, eq } from 'drizzle-orm';
import { NotFound } from '../errors';
import type { CheckpointReaders } from './storedCheckpoints';
import { latestCheckpoint } from './checkpoints';
import { MAX_LEAF_BYTES } from './logEvent';
import { logEntries, logNodes } from './tables';

export const TILE_WIDTH = 256;
const TILE_HEIGHT = 8;
/** tlog-tiles §Merkle Tree: "<L> … MUST be a decimal ASCII integer between 0 and 63". */
const MAX_TILE_LEVEL = 63;
/** Six 3-digit elements reach 10^18 − 1, past Number.MAX_SAFE_INTEGER: no tile index of ours needs more. */
const MAX_INDEX_ELEMENTS = 6;
const encoder = new TextEncoder();

export type TilePath = { kind: 'hash'; level: number; index: number; width: number } | { kind: 'entries'; index: number; width: number };

/** Hash tile L/N of width W: the W stored hashes at tree level 8·L starting at index 256·N. */
export async function readHashTile(
  services: CheckpointReaders,
  tile: { level: number; index: number; width: number },
): Promise<Uint8Array> {
  const { size } = await latestCheckpoint(services);
  const first = tile.index * TILE_WIDTH;
  const leavesCovered = (first + tile.width) * 2 ** (TILE_HEIGHT * tile.level);
  // Only tiles the latest checkpoint commits to are served, so mirrors never see unsigned state.
  if (leavesCovered > size) throw new NotFound(`Tile ${tile.level}/${tile.index} width ${tile.width} is beyond the checkpointed tree size ${size}`);
  const rows = await services.database.db
    .select({ hash: logNodes.hash })
    .from(logNodes)
    .where(and(eq(logNodes.level, TILE_HEIGHT * tile.level), between(logNodes.idx, first, first + tile.width - 1)))
    .orderBy(asc(logNodes.idx));
  if (rows.length !== tile.width) throw new NotFound(`Tile ${tile.level}/${tile.index} is incomplete in storage`);
  const out = new Uint8Array(32 * tile.width);
  rows.forEach((r, i) => out.set(new Uint8Array(r.hash), 32 * i));
  return out;
}

/** Entry bundle N of width W (tlog-tiles §Log entries), read from the stored entries. */
export async function readEntryBundle(services: CheckpointReaders, bundle: { index: number; width: number }): Promise<Uint8Array> {
  const { size } = await latestCheckpoint(services);
  const first = bundle.index * TILE_WIDTH;
  if (first + bundle.width > size) throw new NotFound(`Entry bundle ${bundle.index} width ${bundle.width} is beyond the checkpointed tree size ${size}`);
  const rows = await services.database.db
    .select({ data: logEntries.data })
    .from(logEntries)
    .where(between(logEntries.idx, first, first + bundle.width - 1))
    .orderBy(asc(logEntries.idx));
  if (rows.length !== bundle.width) throw new Error(`Entry bundle ${bundle.index} is incomplete in storage: ${rows.length} of ${bundle.width} entries`);
  return encodeEntryBundle(rows.map((r) => r.data), first);
}

/**
 * "Entry bundles are sequences of big-endian uint16 length-prefixed log entries" (tlog-tiles §Log entries). An entry
 * longer than 65,535 bytes has no such encoding: it is refused, never written with a wrapped-around length. The writer
 * refuses such leaves at append (logEvent.ts); this guards entries stored before that bound existed.
 */
export function encodeEntryBundle(entries: readonly string[], firstIndex = 0): Uint8Array {
  const encoded = entries.map((text, i) => {
    const bytes = encoder.encode(text);
    if (bytes.length > MAX_LEAF_BYTES) {
      throw new Error(`Log entry ${firstIndex + i} is ${bytes.length} bytes; an entry bundle can carry at most ${MAX_LEAF_BYTES} (a uint16 length)`);
    }
    return bytes;
  });
  const out = new Uint8Array(encoded.reduce((n, e) => n + 2 + e.length, 0));
  let offset = 0;
  for (const e of encoded) {
    out[offset] = e.length >> 8;
    out[offset + 1] = e.length & 0xff;
    out.set(e, offset + 2);
    offset += 2 + e.length;
  }
  return out;
}

/**
 * The path of a tile after "tile/" (tlog-tiles §Merkle Tree, §Log entries): "<L>/<N>[.p/<W>]" or
 * "entries/<N>[.p/<W>]". N is written in zero-padded 3-digit elements, all but the last prefixed with "x"
 * (1234067 → "x001/x234/067"), and the suffix appears only for partial tiles.
 */
export function tilePath(tile: TilePath): string {
  let n = tile.index;
  let elements = String(n % 1000).padStart(3, '0');
  for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) elements = `x${String(n % 1000).padStart(3, '0')}/${elements}`;
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `${tile.kind === 'entries' ? 'entries' : tile.level}/${elements}${partial}`;
}

const TILE_PATH = /^(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/**
 * Parses a tile path after "tile/" and accepts exactly the spec's grammar: L from 0 to 63 and W from 1 to 255, both
 * without leading zeros, and N in its one canonical encoding (no leading "x000" elements), so every tile has a
 * single URL. Anything else is undefined, which the routes answer with 404.
 */
export function parseTilePath(path: string): TilePath | undefined {
  const match = TILE_PATH.exec(path);
  if (!match) return undefined;
  const [, levelText, indexText, widthText] = match as unknown as [string, string, string, string | undefined];
  const elements = indexText.split('/');
  if (elements.length > MAX_INDEX_ELEMENTS) return undefined;
  const index = elements.reduce((n, element) => n * 1000 + Number(element.replace('x', '')), 0);
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index) || (widthText !== undefined && width >= TILE_WIDTH)) return undefined;
  const tile: TilePath =
    levelText === 'entries' ? { kind: 'entries', index, width } : { kind: 'hash', level: Number(levelText), index, width };
  if (tile.kind === 'hash' && tile.level > MAX_TILE_LEVEL) return undefined;
  // The round trip rejects every other spelling of the same tile ("x000/001" for "001").
  return tilePath(tile) === path ? tile : undefined;
}
