// The E2E relay on Node: the scenario shared with workerd (tests/scenarios/e2eRelay.scenario.ts), plus a scan of the
// SQLite files and the server log for a plaintext, which only a Node server has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TextContent } from '../../clients/sdk/crypto';
import { createConversation } from '../../src/relay/conversations';
import { e2eRelayScenario } from '../scenarios/e2eRelay.scenario';
import { newDevice } from '../support/devices';
import { startNodeHarness } from '../support/nodeHarness';
import { enrolFirstAdmin, invite, seedDirectory } from '../support/people';
import { startTestServer } from '../support/testServer';
import { waitFor } from '../support/waitFor';

e2eRelayScenario(startNodeHarness);

describe('the E2E relay on Node only', () => {
  // Node-only: it reads the SQLite database files (and WAL) and the server's captured log lines; D1 has neither.
  it('never writes a plaintext to the database files or the server log', async () => {
    const server = await startTestServer();
    try {
      // Unique per run, so a hit in the scan can only come from this run's plaintext.
      const marker = `PLAINTEXT-MARKER-${crypto.randomUUID()}`;
      const admin = await enrolFirstAdmin(server);
      const directory = await seedDirectory(admin);
      const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: directory.agencies.policeA });
      const piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
      const a1 = await newDevice(anna, 'Anna desk');
      const p1 = await newDevice(piotr, 'Piotr desk');
      const conversationId = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
      const needle = Buffer.from(marker);
      const scan = () => {
        server.services.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        const files = readdirSync(server.dir).filter((f) => f.startsWith('exigent.db'));
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) expect(readFileSync(join(server.dir, file)).includes(needle), file).toBe(false);
        expect(server.logLines.join('\n')).not.toContain(marker);
      };

      const photo = new TextEncoder().encode(`\x89PNG fake image bytes ${marker} `.repeat(200));
      const ref = await a1.uploadAttachment(conversationId, { data: photo, name: 'scene.png', mediaType: 'image/png' });
      const sent = await a1.sendText(conversationId, `Suspect boarding at 14:05 ${marker}`, [ref]);
      // While the ciphertext is queued, and again once it is delivered and erased.
      scan();
      const live: Array<{ messageId: string; content: unknown }> = [];
      const stream = p1.connect({ onMessage: (m) => live.push(m) });
      await stream.ready;
      const received = await waitFor(() => live.find((m) => m.messageId === sent.messageId), 'delivery to p1');
      const content = received.content as TextContent;
      // The scan would find a plaintext if one were there: the marker did travel, inside the envelope and the blob.
      expect(content.text).toContain(marker);
      expect(Buffer.from(await p1.downloadAttachment(content.attachments![0]!)).includes(needle)).toBe(true);
      stream.close();
      await stream.closed;
      scan();
    } finally {
      await server.stop();
    }
  });
});
