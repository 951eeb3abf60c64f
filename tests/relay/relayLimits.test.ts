// The relay's limits and housekeeping: queue caps, send rates, size limits, retention purge, and who may open a stream.
import { eq, sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Messenger } from '../../clients/sdk/messenger';
import { encryptAttachment } from '../../clients/sdk/crypto';
import { logEntries } from '../../src/audit-log/tables';
import type { manualClock } from '../../src/clock';
import { createConversation } from '../../src/relay/conversations';
import { purgeExpired } from '../../src/relay/retention';
import { blobs, deliveries, messages } from '../../src/relay/tables';
import { newDevice } from '../support/devices';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';

let server: TestServer;
let clock: ReturnType<typeof manualClock>;
let anna: Person;
let piotr: Person;
let a1: Messenger;
let p1: Messenger;
let conversationId: string;
let admin: Person;
let policeAgency: string;

const countRows = async (table: typeof messages | typeof blobs) =>
  (await server.services.database.db.select({ n: sql<number>`count(*)` }).from(table))[0]!.n;

beforeAll(async () => {
  server = await startTestServer({
    manualTime: true,
    env: { EXIGENT_DEVICE_QUEUE_MAX: '3', EXIGENT_SEND_RATE_PER_MINUTE: '6', EXIGENT_MAX_ATTACHMENT_MB: '1', EXIGENT_MAX_ENVELOPE_KB: '4', EXIGENT_RETENTION_DAYS: '30' },
  });
  clock = server.services.clock as ReturnType<typeof manualClock>;
  admin = await enrolFirstAdmin(server);
  const directory = await seedDirectory(admin);
  policeAgency = directory.agencies.policeA;
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: directory.agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
  a1 = await newDevice(anna, 'Anna desk');
  p1 = await newDevice(piotr, 'Piotr desk');
  conversationId = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
});
afterAll(async () => server.stop());

describe('back-pressure', () => {
  it('refuses a send when a recipient device queue is full, writing nothing', async () => {
    for (let i = 0; i < 3; i++) await a1.sendText(conversationId, `queued ${i}`);
    const before = await countRows(messages);
    const refused = a1.sendText(conversationId, 'one too many');
    await expect(refused).rejects.toMatchObject({ status: 429 });
    await expect(refused).rejects.toThrow(/undelivered messages/);
    expect(await countRows(messages)).toBe(before);
    expect((await p1.sync()).messages).toHaveLength(3);
  });

  it('limits how many messages a user sends per minute, then lets them send again', async () => {
    clock.advance(61_000);
    const outcomes: number[] = [];
    for (let i = 0; i < 7; i++) {
      outcomes.push(await a1.sendText(conversationId, `burst ${i}`).then(() => 201, (e: { status: number }) => e.status));
      await p1.sync(); // keep the recipient's queue (cap 3) out of the way
    }
    expect(outcomes).toEqual([201, 201, 201, 201, 201, 201, 429]);
    clock.advance(61_000);
    await expect(a1.sendText(conversationId, 'after the window')).resolves.toMatchObject({ duplicate: false });
    await p1.sync();
  });
});

describe('size limits', () => {
  it('refuses an oversized attachment with a clear problem and stores nothing', async () => {
    const before = await countRows(blobs);
    const { blob } = await encryptAttachment(new Uint8Array(1_100_000));
    const res = await fetch(`${server.url}/api/v1/conversations/${conversationId}/attachments`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...anna.client.socketHeaders() },
      body: blob as Uint8Array<ArrayBuffer>,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).detail).toMatch(/attachment exceeds the limit of 1048576 bytes/);
    expect(await countRows(blobs)).toBe(before);
    // Just under the limit is fine.
    await expect(a1.uploadAttachment(conversationId, { data: new Uint8Array(1_000_000), name: 'ok.bin', mediaType: 'application/octet-stream' })).resolves.toMatchObject({ size: 1_000_000 });
  });

  it('refuses an oversized envelope', async () => {
    clock.advance(61_000);
    await expect(a1.sendText(conversationId, 'x'.repeat(5000))).rejects.toMatchObject({ status: 413 });
  });
});

describe('who may open a device stream', () => {
  const handshake = (deviceId: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/devices/${deviceId}/stream`, { headers });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });

  it('admits the device owner from our origin only', async () => {
    expect(await handshake(a1.device.deviceId, anna.client.socketHeaders())).toBe(101);
    expect(await handshake(a1.device.deviceId, { ...anna.client.socketHeaders(), origin: 'https://evil.example' })).toBe(403);
    expect(await handshake(a1.device.deviceId, { origin: TEST_ORIGIN })).toBe(401);
    expect(await handshake(a1.device.deviceId, piotr.client.socketHeaders())).toBe(404);
  });

  it('closes the open stream of a user who is disabled, at once', async () => {
    const olek = await invite(admin, { email: 'olek@police.ua', displayName: 'Olek', role: 'investigator', agencyId: policeAgency });
    const device = await newDevice(olek, 'Olek desk');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/devices/${device.device.deviceId}/stream`, { headers: olek.client.socketHeaders() });
    await new Promise((resolve) => ws.on('message', resolve));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect((await admin.client.post(`/api/v1/users/${olek.user.id}/disable`, { reason: 'left the service' })).status).toBe(200);
    expect(await closed).toBe(4401);
  });
});

describe('retention', () => {
  it('purges undelivered ciphertext and blobs after the retention period, and logs the purge', async () => {
    clock.advance(61_000);
    await p1.sync();
    const sent = await a1.sendText(conversationId, 'never fetched');
    const ref = await a1.uploadAttachment(conversationId, { data: new Uint8Array(100), name: 'a.bin', mediaType: 'application/octet-stream' });
    expect(await purgeExpired(server.services)).toMatchObject({ envelopes: 0, blobs: 0 });

    clock.advance(31 * 86_400_000);
    const report = await purgeExpired(server.services);
    expect(report.envelopes).toBeGreaterThanOrEqual(1);
    expect(report.blobs).toBeGreaterThanOrEqual(2);
    const [row] = await server.services.database.db.select().from(messages).where(eq(messages.id, sent.messageId));
    expect(row?.envelope).toBeNull();
    expect(await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, sent.messageId))).toEqual([]);
    // (Sessions have expired too after 31 days, so look in the database rather than over HTTP.)
    expect(await server.services.database.db.select().from(blobs).where(eq(blobs.id, ref.blobId))).toEqual([]);
    const logged = await server.services.database.db.select().from(logEntries).where(eq(logEntries.type, 'relay.purged'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!.data).details).toMatchObject({ envelopes: report.envelopes, blobs: report.blobs });
  });
});
