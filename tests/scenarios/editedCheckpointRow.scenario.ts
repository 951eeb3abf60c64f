// An edited checkpoint row (its root_hash or size column) is never served or signed into a report: the JSON
// checkpoint and the signed compliance report carry the size and root of the server's own signed note. A scenario:
// it runs on Node (tests/audit-log/editedCheckpointRow.test.ts) and in workerd (tests/worker/editedCheckpointRow.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNote, parseCheckpoint, parseVerifierKey } from '../../src/audit-log/tlog';
import { toBase64 } from '../../src/crypto/base64url';
import { ApiClient } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';

interface CheckpointJson {
  size: number;
  rootHash: string;
  note: string;
}

export function editedCheckpointRowScenario(start: StartHarness) {
  describe('an edited checkpoint row', () => {
    let server: Harness;
    let admin: Person;
    let compliance: Person;
    let agencyId: string;
    let people = 0;

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      const directory = await seedDirectory(admin);
      agencyId = directory.agencies.policeB;
      compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: directory.agencies.oversight });
      expect((await compliance.client.post('/api/v1/log/checkpoint')).status).toBe(200);
    });
    afterAll(async () => server.stop());

    /** Appends an entry and has it signed: the honest latest checkpoint that the test then edits. */
    async function honestCheckpoint(): Promise<CheckpointJson> {
      people += 1;
      await invite(admin, { email: `p${people}@police.pl`, displayName: `Piotr ${people}`, role: 'investigator', agencyId });
      const res = await compliance.client.post('/api/v1/log/checkpoint');
      expect(res.status, res.text).toBe(200);
      return res.body;
    }

    /** The size and root the note itself states, after checking the log's signature on it. */
    async function signed(note: string) {
      const { name, publicKey } = parseVerifierKey((await new ApiClient(server.url).get('/api/v1/log/key')).body.verifierKey);
      const body = parseCheckpoint((await openNote(note, { name, publicKey })).text);
      return { size: body.size, rootHash: toBase64(body.rootHash) };
    }

    async function servedCheckpoint(): Promise<CheckpointJson> {
      const res = await new ApiClient(server.url).request('GET', '/api/v1/log/checkpoint', undefined, { headers: { accept: 'application/json' } });
      expect(res.status, res.text).toBe(200);
      return res.body;
    }

    async function reportCheckpoint(): Promise<CheckpointJson> {
      const res = await compliance.client.get('/api/v1/compliance/report?format=json');
      expect(res.status, res.text).toBe(200);
      return res.body.report.checkpoint;
    }

    it('with its root edited, the JSON checkpoint and the report carry the signed root, never the edited column', async () => {
      const honest = await honestCheckpoint();
      await server.execute(`update log_checkpoints set root_hash = zeroblob(32) where size = ${honest.size}`);
      const zero = toBase64(new Uint8Array(32));
      for (const checkpoint of [await servedCheckpoint(), await reportCheckpoint(), await servedCheckpoint()]) {
        expect(checkpoint.rootHash).not.toBe(zero);
        expect({ size: checkpoint.size, rootHash: checkpoint.rootHash }).toEqual(await signed(checkpoint.note));
      }
      expect((await reportCheckpoint()).rootHash).toBe(honest.rootHash);
    });

    it('with its size edited, the JSON checkpoint and the report carry the signed size, never the edited column', async () => {
      const honest = await honestCheckpoint();
      await server.execute(`update log_checkpoints set size = ${honest.size + 1000} where size = ${honest.size}`);
      for (const checkpoint of [await servedCheckpoint(), await reportCheckpoint(), await servedCheckpoint()]) {
        expect(checkpoint.size).not.toBe(honest.size + 1000);
        expect({ size: checkpoint.size, rootHash: checkpoint.rootHash }).toEqual(await signed(checkpoint.note));
      }
      expect(await reportCheckpoint()).toMatchObject({ size: honest.size, rootHash: honest.rootHash });
    });
  });
}
