// C2SP tlog-tiles to the letter over HTTP (https://c2sp.org/tlog-tiles): caching and content types, the path grammar
// (404 for every other spelling), entry bundles a C2SP reader parses, and leaves bounded at 65,535 bytes — refused at
// append and, for an urgent contact, at the draft step before anything is signed. A scenario: it runs on Node
// (tests/audit-log/tlogTilesOverHttp.test.ts) and in workerd (tests/worker/tlogTiles.test.ts).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LEAF_BYTES, type LogEvent } from '../../src/audit-log/logEvent';
import { leafHash } from '../../src/audit-log/tlog';
import { Invalid } from '../../src/errors';
import { prepareUrgentContact } from '../../src/urgent/openUrgentContact';
import { ApiClient } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, inviteCast, seedDirectory, type Person } from '../support/people';
import { draftFor } from '../support/urgent';

/** A C2SP entry bundle reader: big-endian uint16 length, then that many bytes, to the very end. */
function parseEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const entries: Uint8Array[] = [];
  for (let offset = 0; offset < bundle.length; ) {
    if (offset + 2 > bundle.length) throw new Error(`truncated length at byte ${offset}`);
    const length = (bundle[offset]! << 8) | bundle[offset + 1]!;
    if (offset + 2 + length > bundle.length) throw new Error(`entry at byte ${offset} runs past the bundle`);
    entries.push(bundle.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  return entries;
}

const filler = (text: string): LogEvent => ({ type: 'compliance.decision', actor: { system: 'tiles-test' }, subject: { note: 'filler' }, details: { text } });
const maxAge = (header: string | null) => Number(/max-age=(\d+)/.exec(header ?? '')?.[1] ?? NaN);

export function tlogTilesScenario(start: StartHarness) {
  describe('C2SP tlog-tiles over HTTP', () => {
    let server: Harness;
    let admin: Person;
    let compliance: Person;
    let anna: Person;
    let piotr: Person;
    let size: number;

    const get = (path: string, person?: Person) =>
      ApiClient.transport.fetch(`${server.url}/api/v1/log/${path}`, person ? { headers: { cookie: `exigent_session=${person.client.sessionCookie}` } } : {});
    const logSize = async () => (await server.services.database.db.get<{ n: number }>(sql`select count(*) as n from log_entries`))!.n;

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      ({ compliance, anna, piotr } = await inviteCast(admin, await seedDirectory(admin), 'compliance', 'anna', 'piotr'));
      // Past one full tile, with the largest leaf allowed in the first one.
      const overhead = new TextEncoder().encode(JSON.stringify({ actor: { system: 'tiles-test' }, at: new Date(0).toISOString(), countries: [], details: { text: '' }, subject: { note: 'filler' }, type: 'compliance.decision', v: 1 })).length;
      const room = MAX_LEAF_BYTES - overhead;
      const largest = filler(`${'€'.repeat(Math.floor(room / 3))}${'x'.repeat(room % 3)}`);
      const existing = await logSize();
      await server.services.logWriter.commit([largest, ...Array.from({ length: 300 - existing }, (_, i) => filler(`entry ${i}`))]);
      const checkpoint = await compliance.client.post('/api/v1/log/checkpoint');
      expect(checkpoint.status, checkpoint.text).toBe(200);
      size = checkpoint.body.size;
      expect(size).toBeGreaterThan(256);
      expect(size).toBeLessThan(400);
    });
    afterAll(async () => server.stop());

    describe('caching and content types', () => {
      it('serves the checkpoint as text/plain; charset=utf-8, cached a few seconds at most', async () => {
        const res = await get('checkpoint');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
        expect(maxAge(res.headers.get('cache-control'))).toBeLessThanOrEqual(10);
        // The same URL answers JSON to Accept: application/json, so caches must key on Accept.
        expect(res.headers.get('vary')?.toLowerCase()).toContain('accept');
        const json = await ApiClient.transport.fetch(`${server.url}/api/v1/log/checkpoint`, { headers: { accept: 'application/json' } });
        expect(maxAge(json.headers.get('cache-control'))).toBeLessThanOrEqual(10);
      });

      it('lets a full tile be cached for a year as immutable, a partial one only briefly', async () => {
        const full = await get('tile/0/000');
        expect(full.status).toBe(200);
        expect(full.headers.get('content-type')).toBe('application/octet-stream');
        expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect((await full.arrayBuffer()).byteLength).toBe(8192);

        const partial = await get(`tile/0/001.p/${size - 256}`);
        expect(partial.status).toBe(200);
        expect(partial.headers.get('content-type')).toBe('application/octet-stream');
        expect(partial.headers.get('cache-control')).not.toContain('immutable');
        expect(maxAge(partial.headers.get('cache-control'))).toBeLessThanOrEqual(300);
        const level1 = await get('tile/1/000.p/1');
        expect(level1.status).toBe(200);
        expect(level1.headers.get('cache-control')).not.toContain('immutable');
      });

      it('caches entry bundles the same way, but privately: they are served to compliance and admins only', async () => {
        const full = await get('tile/entries/000', compliance);
        expect(full.status).toBe(200);
        expect(full.headers.get('content-type')).toBe('application/octet-stream');
        expect(full.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
        const partial = await get(`tile/entries/001.p/${size - 256}`, compliance);
        expect(partial.status).toBe(200);
        expect(partial.headers.get('cache-control')).toMatch(/^private, /);
        expect(partial.headers.get('cache-control')).not.toContain('immutable');
        expect(maxAge(partial.headers.get('cache-control'))).toBeLessThanOrEqual(300);
      });

      it('answers a tile beyond the tree with a 404 nobody caches', async () => {
        for (const path of ['tile/0/002', 'tile/0/001', `tile/0/001.p/${size - 255}`, 'tile/1/000', 'tile/2/000.p/1']) {
          const res = await get(path);
          expect(res.status, path).toBe(404);
          expect(res.headers.get('content-type'), path).toBe('application/problem+json');
          expect(res.headers.get('cache-control'), path).toBe('no-store');
        }
        const bundle = await get('tile/entries/001', compliance);
        expect(bundle.status).toBe(404);
        expect(bundle.headers.get('cache-control')).toBe('no-store');
      });
    });

    describe('the path grammar', () => {
      it('refuses every form the spec forbids with a 404 problem', async () => {
        const refused = ['00/000', '01/000', '64/000', '0/000.p/007', '0/000.p/0', '0/000.p/256', '0/x000/000', '0/x000/001.p/44', '0/0', '0/1234067', 'data/000', '0/000/', '0/000.p/'];
        for (const path of refused) {
          const res = await get(`tile/${path}`);
          expect(res.status, path).toBe(404);
          expect(res.headers.get('content-type'), path).toBe('application/problem+json');
        }
        for (const path of ['entries/x000/000', 'entries/000.p/044', 'entries/0', 'entries/000.p/256']) {
          const res = await get(`tile/${path}`, compliance);
          expect(res.status, path).toBe(404);
        }
        // The canonical spellings of the same tiles are served.
        expect((await get('tile/0/001.p/44')).status).toBe(200);
        expect((await get('tile/entries/001.p/44', compliance)).status).toBe(200);
      });
    });

    describe('entries up to 65,535 bytes', () => {
      it('serves a bundle holding the largest allowed entry that a C2SP reader parses, each entry hashing to its tile', async () => {
        const bundle = new Uint8Array(await (await get('tile/entries/000', compliance)).arrayBuffer());
        const entries = parseEntryBundle(bundle);
        expect(entries).toHaveLength(256);
        expect(Math.max(...entries.map((e) => e.length))).toBe(MAX_LEAF_BYTES);
        const tile = new Uint8Array(await (await get('tile/0/000')).arrayBuffer());
        entries.forEach((entry, i) => expect(leafHash(entry), `entry ${i}`).toEqual(tile.subarray(32 * i, 32 * i + 32)));
      });

      it('refuses to append a larger leaf, naming the field that made it too big, and writes nothing', async () => {
        const before = await logSize();
        const tooBig = { ...filler('small'), details: { text: 'short', justification: { narrative: 'n'.repeat(70_000) } } };
        const refused = server.services.logWriter.commit([filler('same batch'), tooBig]);
        await expect(refused).rejects.toThrow(/more than the 65535 .*details\.justification\.narrative \(70000 bytes\)/);
        // A client mistake on either runtime: on Workers the LogSequencer's refusal crosses the RPC as the same 422.
        await expect(refused).rejects.toBeInstanceOf(Invalid);
        expect(await logSize()).toBe(before);
      });

      it('refuses at the draft step, before anything is signed, a justification its log entry could not carry', async () => {
        const before = await logSize();
        const challenges = async () => (await server.services.database.db.get<{ n: number }>(sql`select count(*) as n from challenges`))!.n;
        const challengesBefore = await challenges();
        const actor = { userId: anna.user.id, role: 'investigator' as const, agencyId: anna.user.agencyId, countryCode: anna.user.countryCode };
        // The API caps the narrative at 5,000 characters; the domain bound holds for whatever reaches it.
        const draft = draftFor(piotr, { narrative: `Why it cannot wait: ${'€'.repeat(20_000)}`, soughtInformation: 'Subscriber data for one number.' });
        const refused = prepareUrgentContact(server.services, actor, draft as never);
        await expect(refused).rejects.toBeInstanceOf(Invalid);
        await expect(refused).rejects.toMatchObject({ field: 'narrative', message: expect.stringMatching(/more than the \d+ its log entry can carry \(a log entry may have at most 65535 bytes\); shorten narrative/) });
        expect(await logSize()).toBe(before);
        expect(await challenges()).toBe(challengesBefore);

        // Over HTTP the same draft step answers a too-long narrative with a 4xx naming the field.
        const res = await anna.client.post('/api/v1/urgent-contacts/options', draftFor(piotr, { narrative: 'n'.repeat(5001) }));
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('narrative');
        expect(await logSize()).toBe(before);
      });
    });
  });
}
