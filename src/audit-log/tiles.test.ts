// The C2SP tlog-tiles path grammar, to the letter (https://c2sp.org/tlog-tiles), and the entry bundle's uint16 bound.
import { describe, expect, it } from 'vitest';
import { MAX_LEAF_BYTES } from './logEvent';
import { encodeEntryBundle, parseTilePath, tilePath } from './tiles';

/** A C2SP entry bundle reader: big-endian uint16 length, then that many bytes, to the end; anything left over is an error. */
function parseEntryBundle(bundle: Uint8Array): string[] {
  const entries: string[] = [];
  for (let offset = 0; offset < bundle.length; ) {
    if (offset + 2 > bundle.length) throw new Error(`truncated length at ${offset}`);
    const length = (bundle[offset]! << 8) | bundle[offset + 1]!;
    if (offset + 2 + length > bundle.length) throw new Error(`entry at ${offset} runs past the bundle`);
    entries.push(new TextDecoder('utf-8', { fatal: true }).decode(bundle.subarray(offset + 2, offset + 2 + length)));
    offset += 2 + length;
  }
  return entries;
}

describe('parseTilePath', () => {
  it("accepts the spec's forms, with N in 3-digit elements and x on all but the last", () => {
    expect(parseTilePath('0/000')).toEqual({ kind: 'hash', level: 0, index: 0, width: 256 });
    expect(parseTilePath('0/x001/x234/067')).toEqual({ kind: 'hash', level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('1/x001/x234/067.p/7')).toEqual({ kind: 'hash', level: 1, index: 1234067, width: 7 });
    expect(parseTilePath('63/000.p/255')).toEqual({ kind: 'hash', level: 63, index: 0, width: 255 });
    expect(parseTilePath('2/999.p/1')).toEqual({ kind: 'hash', level: 2, index: 999, width: 1 });
    expect(parseTilePath('entries/000')).toEqual({ kind: 'entries', index: 0, width: 256 });
    expect(parseTilePath('entries/x001/000.p/112')).toEqual({ kind: 'entries', index: 1000, width: 112 });
  });

  it('refuses a level with leading zeros or above 63', () => {
    for (const path of ['00/000', '01/000', '007/000', '64/000', '100/000', '-1/000', '+1/000']) expect(parseTilePath(path), path).toBeUndefined();
  });

  it('refuses a width with leading zeros, of 0, or of a full tile', () => {
    for (const path of ['0/000.p/007', '0/000.p/07', '0/000.p/0', '0/000.p/256', '0/000.p/1000', 'entries/000.p/010', 'entries/000.p/256'])
      expect(parseTilePath(path), path).toBeUndefined();
  });

  it('refuses every non-canonical spelling of N', () => {
    for (const path of ['0/x000/000', '0/x000/x001/000', 'entries/x000/067', '0/1234067', '0/1234', '0/67', '0/x001/x234/x067', '0/001/234/067', '0/x01/234'])
      expect(parseTilePath(path), path).toBeUndefined();
  });

  it('refuses the old names and anything around the grammar', () => {
    for (const path of ['data/000', '8/0/000', '0/000/', '/0/000', '0/000.p/', '0/000.p', '0//000', 'entries/000.P/5', '0/x999/x999/x999/x999/x999/x999/999'])
      expect(parseTilePath(path), path).toBeUndefined();
  });

  it('round-trips with tilePath', () => {
    for (const index of [0, 1, 999, 1000, 1234067, 2 ** 45]) {
      for (const width of [1, 255, 256]) {
        const tile = { kind: 'hash' as const, level: 3, index, width };
        expect(parseTilePath(tilePath(tile))).toEqual(tile);
      }
    }
    expect(tilePath({ kind: 'hash', level: 0, index: 1234067, width: 256 })).toBe('0/x001/x234/067');
  });
});

describe('encodeEntryBundle', () => {
  it('carries the largest allowed entry, and a C2SP reader gets every entry back', () => {
    const largest = `"${'€'.repeat((MAX_LEAF_BYTES - 3) / 3)}"${'x'}`;
    expect(new TextEncoder().encode(largest).length).toBe(MAX_LEAF_BYTES);
    const entries = ['{"a":1}', largest, ''];
    expect(parseEntryBundle(encodeEntryBundle(entries))).toEqual(entries);
  });

  it('refuses an entry longer than a uint16 length can say, instead of writing a wrong length', () => {
    const tooLong = 'x'.repeat(70_590);
    expect(() => encodeEntryBundle(['{}', tooLong], 512)).toThrow(/Log entry 513 is 70590 bytes; an entry bundle can carry at most 65535/);
    expect(() => encodeEntryBundle(['€'.repeat(21_846)])).toThrow(/65538 bytes/);
  });
});
