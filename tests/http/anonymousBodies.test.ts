// Anonymous clients cannot make the server hold their bodies: 30 concurrent 10 MiB uploads without a session are
// answered 401 before they have been sent, and the server's memory does not grow by their size, while a signed-in
// investigator's upload still goes through. The server is a separate process (npm start's entry point), so its
// memory figures are its own and not the load generator's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../bench/support/childServer';
import { enrolWithLink, invite, seedDirectory, type Person } from '../support/people';
import { rawUpload } from '../support/rawUpload';
import { freePort } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

const MiB = 1024 * 1024;
const CONNECTIONS = 30;

let server: ChildServer;
let admin: Person;
let anna: Person;
let conversationId: string;

async function rssBytes(): Promise<number> {
  return (await admin.client.get('/api/v1/admin/runtime')).body.rssBytes;
}

beforeAll(async () => {
  server = await startChildServer({ port: await freePort() });
  admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'admin@exigent.test', displayName: 'Admin' }, server.origin);
  const { agencies } = await seedDirectory(admin);
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  const piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  const opened = await openContact(anna, draftFor(piotr));
  expect(opened.status, opened.text).toBe(201);
  conversationId = opened.body.conversationId;
}, 60_000);
afterAll(async () => server?.stop());

describe('bodies of callers without a session', () => {
  it(`are refused unread: ${CONNECTIONS} concurrent anonymous 10 MiB uploads neither get read nor grow the server's memory`, async () => {
    const baseline = await rssBytes();
    let peak = baseline;
    let flooding = true;
    const sampling = (async () => {
      while (flooding) {
        // A sample lost to a keep-alive race is only a missed sample; the figures after the flood are asserted.
        peak = Math.max(peak, await rssBytes().catch(() => peak));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const path = `/api/v1/conversations/${conversationId}/attachments`;
    const flood = Array.from({ length: CONNECTIONS }, () =>
      rawUpload(server.url, { path, declaredBytes: 10 * MiB, headers: { origin: server.origin, 'content-type': 'application/octet-stream' } }),
    );
    // Meanwhile a signed-in investigator's upload of the same size is read and stored.
    const upload = anna.client.fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(10 * MiB) });
    const refused = await Promise.all(flood);
    const stored = await upload;
    flooding = false;
    await sampling;
    peak = Math.max(peak, await rssBytes());
    console.log(`[anonymous bodies] server RSS ${(baseline / MiB).toFixed(0)} MB before, peak ${(peak / MiB).toFixed(0)} MB during ${CONNECTIONS} × 10 MiB anonymous uploads and one signed-in 10 MiB upload`);

    expect(refused.map((r) => r.status)).toEqual(Array(CONNECTIONS).fill(401));
    // Each was answered in the pause after its first 256 KiB: the server did not wait for the other 9.75 MiB.
    for (const r of refused) expect(r.bytesSent).toBe(256 * 1024);
    expect(stored.status, await stored.clone().text()).toBe(201);
    expect((await stored.json()) as { size: number }).toMatchObject({ size: 10 * MiB });
    // The one upload that was read costs a few copies of 10 MiB; the 300 MiB of anonymous bodies cost nothing.
    expect(peak - baseline).toBeLessThan(80 * MiB);
  }, 60_000);
});
