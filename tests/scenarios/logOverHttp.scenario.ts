// The tamper-evident log over HTTP: events become leaves, checkpoints are signed, inclusion and consistency proofs
// verify against them, exports verify offline, tiles match the entries. A scenario: it runs on Node
// (tests/audit-log/logOverHttp.test.ts) and in workerd (tests/worker/logOverHttp.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../clients/cli/log/verifyExport';
import { leafHash, noteVerifierKey, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '../../src/audit-log/tlog';
import { fromBase64 } from '../../src/crypto/base64url';
import { ApiClient } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]));
  return value;
}

export function logOverHttpScenario(start: StartHarness) {
  describe('the accountability log over HTTP', () => {
    let server: Harness;
    let admin: Person;
    let compliance: Person;
    let ncbPl: Person;
    let directory: Directory;
    let logKey: string;

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      directory = await seedDirectory(admin);
      compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: directory.agencies.oversight });
      ncbPl = await invite(admin, { email: 'ncb@ncb.pl', displayName: 'NCB PL', role: 'ncb_officer', agencyId: directory.agencies.ncbB });
      await invite(admin, { email: 'p@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
      logKey = (await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey;
    });
    afterAll(async () => server.stop());

    async function checkpointNow() {
      const res = await compliance.client.post('/api/v1/log/checkpoint');
      expect(res.status, res.text).toBe(200);
      return res.body as { size: number; rootHash: string; note: string };
    }

    describe('accountability events as leaves', () => {
      it('records enrolments and passkeys as canonical JSON leaves', async () => {
        const res = await compliance.client.get('/api/v1/log/entries?from=0&to=100');
        expect(res.status).toBe(200);
        const types = res.body.map((e: { type: string }) => e.type);
        expect(types.slice(0, 2)).toEqual(['user.enrolled', 'passkey.added']);
        const leaf = JSON.parse(res.body[0].data);
        expect(leaf).toMatchObject({ v: 1, type: 'user.enrolled', actor: { system: 'first-admin-link' }, details: { role: 'admin' } });
        // RFC 8785: member names sorted at every depth, no insignificant whitespace.
        expect(res.body[0].data).toBe(JSON.stringify(sortKeysDeep(leaf)));
      });

      it("shows an NCB officer only their own country's entries", async () => {
        const res = await ncbPl.client.get('/api/v1/log/entries?from=0&to=100');
        expect(res.status).toBe(200);
        expect(res.body.length).toBeGreaterThan(0);
        for (const entry of res.body) expect(JSON.parse(entry.data).countries).toContain('PL');
        const all = (await compliance.client.get('/api/v1/log/entries?from=0&to=100')).body;
        expect(res.body.length).toBeLessThan(all.length);
      });
    });

    describe('checkpoints and proofs', () => {
      it('signs checkpoints with the published key, and every entry proves its inclusion', async () => {
        const checkpoint = await checkpointNow();
        const key = parseVerifierKey(logKey);
        const body = parseCheckpoint((await openNote(checkpoint.note, key)).text);
        expect(body.size).toBe(checkpoint.size);
        expect(body.rootHash).toEqual(fromBase64(checkpoint.rootHash));
        for (let index = 0; index < checkpoint.size; index++) {
          const res = await compliance.client.get(`/api/v1/log/entries/${index}`);
          expect(res.status, res.text).toBe(200);
          // Proved against the tree the signed note commits to.
          expect(res.body.checkpoint.size).toBe(body.size);
          const ok = verifyInclusion({
            leafHash: leafHash(new TextEncoder().encode(res.body.entry.data)),
            index,
            size: body.size,
            proof: res.body.inclusion.proof.map(fromBase64),
            root: body.rootHash,
          });
          expect(ok, `entry ${index}`).toBe(true);
        }
      });

      it('proves consistency between an old and a new checkpoint', async () => {
        const old = await checkpointNow();
        await admin.client.post('/api/v1/countries', { code: 'DE', name: 'Germany' });
        await invite(admin, { email: 'x@police.ua', displayName: 'Another', role: 'investigator', agencyId: directory.agencies.policeA });
        const current = await checkpointNow();
        expect(current.size).toBeGreaterThan(old.size);
        const res = await new ApiClient(server.url).get(`/api/v1/log/consistency?from=${old.size}&to=${current.size}`);
        expect(res.status).toBe(200);
        // Both roots are taken from the signed notes, not from the JSON beside them.
        const key = parseVerifierKey(logKey);
        const [signedOld, signedCurrent] = await Promise.all([old, current].map(async (c) => parseCheckpoint((await openNote(c.note, key)).text)));
        expect([signedOld!.size, signedCurrent!.size]).toEqual([old.size, current.size]);
        const input = { oldSize: old.size, newSize: current.size, oldRoot: signedOld!.rootHash, newRoot: signedCurrent!.rootHash, proof: res.body.proof.map(fromBase64) };
        expect(verifyConsistency(input)).toBe(true);
        expect(verifyConsistency({ ...input, oldRoot: signedCurrent!.rootHash })).toBe(false);
      });

      it('answers bad proof requests with problems', async () => {
        expect((await new ApiClient(server.url).get('/api/v1/log/consistency?from=5&to=2')).status).toBe(422);
        expect((await new ApiClient(server.url).get('/api/v1/log/consistency?from=0&to=999999')).status).toBe(422);
        expect((await compliance.client.get('/api/v1/log/entries/999999')).status).toBe(404);
      });
    });

    describe('export and the offline verifier', () => {
      it('exports JSON Lines that verify offline, and detects tampering and a wrong key', async () => {
        const first = await checkpointNow();
        await admin.client.post('/api/v1/countries', { code: 'FR', name: 'France' });
        const latest = await checkpointNow();
        const res = await ApiClient.transport.fetch(`${server.url}/api/v1/log/export?from=0&previous=${first.size}`, { headers: { cookie: `exigent_session=${compliance.client.sessionCookie}` } });
        expect(res.headers.get('content-type')).toContain('application/x-ndjson');
        const jsonl = await res.text();
        const verdict = await verifyExport(jsonl, { logKey, previousNote: first.note });
        expect(verdict.failures).toEqual([]);
        expect(verdict).toMatchObject({ ok: true, treeSize: latest.size, entriesVerified: latest.size });

        const tampered = jsonl.replace('"role\\":\\"admin\\"', '"role\\":\\"investigator\\"');
        expect(tampered).not.toBe(jsonl);
        const bad = await verifyExport(tampered, { logKey });
        expect(bad.ok).toBe(false);
        expect(bad.failures[0]).toMatch(/inclusion proof does not verify/);

        const impostor = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
        const impostorKey = noteVerifierKey(parseVerifierKey(logKey).name, new Uint8Array(await crypto.subtle.exportKey('raw', impostor.publicKey)));
        const wrongKey = await verifyExport(jsonl, { logKey: impostorKey });
        expect(wrongKey.ok).toBe(false);
        expect(wrongKey.failures[0]).toMatch(/checkpoint signature: the note carries no signature/);
      });

      it('is only for compliance and admins', async () => {
        expect((await ncbPl.client.get('/api/v1/log/export')).status).toBe(403);
        expect((await new ApiClient(server.url).get('/api/v1/log/export')).status).toBe(401);
      });
    });

    describe('C2SP tiles', () => {
      it('serves hash tiles and entry bundles that match the entries', async () => {
        const checkpoint = await checkpointNow();
        const width = Math.min(checkpoint.size, 255);
        const tile = await ApiClient.transport.fetch(`${server.url}/api/v1/log/tile/0/000.p/${width}`);
        expect(tile.status).toBe(200);
        const bytes = new Uint8Array(await tile.arrayBuffer());
        expect(bytes.length).toBe(32 * width);
        const entries = (await compliance.client.get(`/api/v1/log/entries?from=0&to=${width}`)).body as Array<{ data: string }>;
        for (let i = 0; i < width; i++) expect(bytes.subarray(32 * i, 32 * i + 32)).toEqual(leafHash(new TextEncoder().encode(entries[i]!.data)));

        const bundle = await ApiClient.transport.fetch(`${server.url}/api/v1/log/tile/entries/000.p/${width}`, { headers: { cookie: `exigent_session=${compliance.client.sessionCookie}` } });
        expect(bundle.status).toBe(200);
        const data = new Uint8Array(await bundle.arrayBuffer());
        const firstLength = (data[0]! << 8) | data[1]!;
        expect(new TextDecoder().decode(data.subarray(2, 2 + firstLength))).toBe(entries[0]!.data);
        expect((await ApiClient.transport.fetch(`${server.url}/api/v1/log/tile/entries/000.p/${width}`)).status).toBe(401);
        expect((await ApiClient.transport.fetch(`${server.url}/api/v1/log/tile/0/000.p/${checkpoint.size + 1}`)).status).toBe(404);
        expect((await ApiClient.transport.fetch(`${server.url}/api/v1/log/tile/0/1234`)).status).toBe(404);
      });
    });
  });
}
