/** @module C2SP tlog-tiles read access: hash tiles and entry bundles cut from stored nodes and entries, bounded by the latest checkpoint. */
import { and, asc, between, eq } from 'drizzle-orm';
import { NotFound } from '../errors';
import type { Platform } from '../platform';
import { latestCheckpoint } from './checkpoints';
import { logEntries, logNodes } from './tables';

export const TILE_WIDTH = 256;
const TILE_HEIGHT = 8;

/** Hash tile L/N of width W: the W stored hashes at tree level 8·L starting at index 256·N. */
export async function readHashTile(
  services: Pick<Platform, 'database'>,
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

/** Entry bundle N of width W: each entry as a 2-byte big-endian length followed by its bytes. */
export async function readEntryBundle(services: Pick<Platform, 'database'>, bundle: { index: number; width: number }): Promise<Uint8Array> {
  const { size } = await latestCheckpoint(services);
  const first = bundle.index * TILE_WIDTH;
  if (first + bundle.width > size) throw new NotFound(`Entry bundle ${bundle.index} width ${bundle.width} is beyond the checkpointed tree size ${size}`);
  const rows = await services.database.db
    .select({ data: logEntries.data })
    .from(logEntries)
    .where(between(logEntries.idx, first, first + bundle.width - 1))
    .orderBy(asc(logEntries.idx));
  const encoded = rows.map((r) => new TextEncoder().encode(r.data));
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
 * Parses a tile path after "tile/": "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]", where N is written in
 * 3-digit elements with an "x" prefix on all but the last (e.g. x001/x234/067 for 1234067).
 */
export function parseTilePath(path: string): { kind: 'hash'; level: number; index: number; width: number } | { kind: 'entries'; index: number; width: number } | undefined {
  const match = /^(entries|\d{1,2})\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d{1,3}))?$/.exec(path);
  if (!match) return undefined;
  const index = Number(match[2]!.replace(/x|\//g, ''));
  const width = match[3] === undefined ? TILE_WIDTH : Number(match[3]);
  if (width < 1 || width >= TILE_WIDTH + (match[3] === undefined ? 1 : 0)) return undefined;
  if (match[1] === 'entries') return { kind: 'entries', index, width };
  return { kind: 'hash', level: Number(match[1]), index, width };
}
