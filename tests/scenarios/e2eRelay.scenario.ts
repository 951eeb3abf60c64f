// Two investigators with two devices each, real WebSockets and real libsodium: what arrives decrypted and live, what
// the server keeps, what it refuses, and what the recipient SDK refuses. A scenario: it runs on Node
// (tests/relay/e2eRelay.test.ts) and in workerd (tests/worker/e2eRelay.test.ts).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safetyNumber, type TextContent } from '../../clients/sdk/crypto';
import type { Messenger, ReceivedMessage } from '../../clients/sdk/messenger';
import { closeConversationStatement, createConversation } from '../../src/relay/conversations';
import { deliveries, messages } from '../../src/relay/tables';
import { newDevice } from '../support/devices';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, login, seedDirectory, type Person } from '../support/people';
import { waitFor } from '../support/waitFor';

async function deviceKey(m: Messenger): Promise<string> {
  const { b64, sodiumReady } = await import('../../clients/sdk/crypto');
  await sodiumReady();
  return b64(m.device.keys.identityPublic);
}

async function agreementKey(m: Messenger): Promise<string> {
  const { b64, sodiumReady } = await import('../../clients/sdk/crypto');
  await sodiumReady();
  return b64(m.device.keys.agreementPublic);
}

export function e2eRelayScenario(start: StartHarness) {
  describe('the E2E relay', () => {
    let server: Harness;
    let anna: Person; // investigator, Ukraine
    let piotr: Person; // investigator, Poland
    let outsider: Person;
    let a1: Messenger, a2: Messenger, p1: Messenger, p2: Messenger;
    let conversationId: string;

    beforeAll(async () => {
      server = await start();
      const admin = await enrolFirstAdmin(server);
      const directory = await seedDirectory(admin);
      anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: directory.agencies.policeA });
      piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
      outsider = await invite(admin, { email: 'olga@police.ua', displayName: 'Olga', role: 'investigator', agencyId: directory.agencies.policeA });
      a1 = await newDevice(anna, 'Anna desk');
      a2 = await newDevice(anna, 'Anna laptop', await login(anna));
      p1 = await newDevice(piotr, 'Piotr desk');
      p2 = await newDevice(piotr, 'Piotr phone', await login(piotr));
      conversationId = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
    });
    afterAll(async () => server.stop());

    describe('end-to-end delivery', () => {
      let sent: { messageId: string };
      const live: ReceivedMessage[] = [];
      const receipts: Array<{ messageId: string; deviceId: string }> = [];

      it('delivers a message with an attachment to every other device: live, and after coming back online', async () => {
        const p1Stream = p1.connect({ onMessage: (m) => live.push(m) });
        const a1Stream = a1.connect({ onReceipt: (r) => receipts.push(r) });
        await Promise.all([p1Stream.ready, a1Stream.ready]);

        const photo = new TextEncoder().encode('\x89PNG fake image bytes '.repeat(200));
        const ref = await a1.uploadAttachment(conversationId, { data: photo, name: 'scene.png', mediaType: 'image/png' });
        sent = await a1.sendText(conversationId, 'Suspect boarding at 14:05', [ref]);
        expect(sent).toMatchObject({ duplicate: false });

        const onP1 = await waitFor(() => live.find((m) => m.messageId === sent.messageId), 'live delivery to p1');
        expect(onP1.senderUserId).toBe(anna.user.id);
        expect((onP1.content as TextContent).text).toBe('Suspect boarding at 14:05');
        const attachment = (onP1.content as TextContent).attachments![0]!;
        expect(await p1.downloadAttachment(attachment)).toEqual(photo);
        await waitFor(() => receipts.find((r) => r.messageId === sent.messageId && r.deviceId === p1.device.deviceId), 'receipt for p1 at a1');

        // p2 and a2 (Anna's own other device) were offline; they catch up by cursor.
        for (const device of [p2, a2]) {
          const { messages: caught, rejected } = await device.sync();
          expect(rejected).toEqual([]);
          expect(caught.map((m) => (m.content as TextContent).text)).toEqual(['Suspect boarding at 14:05']);
        }
        const status = await a1.receipts(sent.messageId);
        expect(status.recipientCount).toBe(3);
        expect(status.delivered.map((d) => d.deviceId).sort()).toEqual([a2, p1, p2].map((d) => d.device.deviceId).sort());
        p1Stream.close();
        a1Stream.close();
        await Promise.all([p1Stream.closed, a1Stream.closed]);
      });

      it('a device that reconnects its stream gets what arrived while it was away, then live messages', async () => {
        const whileAway = await a1.sendText(conversationId, 'sent while the phone was off');
        const got: ReceivedMessage[] = [];
        const stream = p2.connect({ onMessage: (m) => got.push(m) });
        await stream.ready;
        await waitFor(() => got.find((m) => m.messageId === whileAway.messageId), 'backlog on reconnect');
        const live = await a1.sendText(conversationId, 'and this one live');
        await waitFor(() => got.find((m) => m.messageId === live.messageId), 'live after reconnect');
        expect(got.map((m) => m.messageId)).toEqual([whileAway.messageId, live.messageId]);
        stream.close();
        await stream.closed;
        await Promise.all([a2.sync(), p1.sync()]);
      });

      it('delivers live to two recipient devices over their streams; each acknowledgement reaches the sender as a receipt', async () => {
        const onP1: ReceivedMessage[] = [];
        const onP2: ReceivedMessage[] = [];
        const receipts: Array<{ messageId: string; deviceId: string }> = [];
        const streams = [p1.connect({ onMessage: (m) => onP1.push(m) }), p2.connect({ onMessage: (m) => onP2.push(m) }), a1.connect({ onReceipt: (r) => receipts.push(r) })];
        await Promise.all(streams.map((s) => s.ready));
        try {
          const posted = await a1.sendText(conversationId, 'Both of your devices, now');
          expect([...posted.recipientDeviceIds].sort()).toEqual([a2, p1, p2].map((d) => d.device.deviceId).sort());
          for (const [label, got] of [['p1', onP1], ['p2', onP2]] as const) {
            const message = await waitFor(() => got.find((m) => m.messageId === posted.messageId), `live delivery to ${label}`);
            expect(message.senderUserId).toBe(anna.user.id);
            expect((message.content as TextContent).text).toBe('Both of your devices, now');
          }
          // Each stream acknowledged its copy; the sender's stream hears of both.
          for (const [label, device] of [['p1', p1], ['p2', p2]] as const) {
            await waitFor(() => receipts.find((r) => r.messageId === posted.messageId && r.deviceId === device.device.deviceId), `receipt for ${label} at a1`);
          }
          const left = await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, posted.messageId));
          expect(left.map((c) => c.deviceId)).toEqual([a2.device.deviceId]);
          const status = await a1.receipts(posted.messageId);
          expect(status.delivered.map((d) => d.deviceId).sort()).toEqual([p1, p2].map((d) => d.device.deviceId).sort());
        } finally {
          for (const stream of streams) stream.close();
          await Promise.all(streams.map((s) => s.closed));
        }
        await a2.sync();
      });

      it('erases the ciphertext once every device has acknowledged it, keeping only metadata', async () => {
        const [row] = await server.services.database.db.select().from(messages).where(eq(messages.id, sent.messageId));
        expect(row).toMatchObject({ envelope: null, recipientCount: 3, senderUserId: anna.user.id });
        const left = await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, sent.messageId));
        expect(left).toEqual([]);
      });

      it('a retry with the same message id stores nothing new', async () => {
        const first = await a1.send(conversationId, { type: 'text', text: 'retry me' });
        const again = await a1.send(conversationId, { type: 'text', text: 'retry me' }, { messageId: first.messageId });
        expect(again).toMatchObject({ messageId: first.messageId, duplicate: true });
        const queued = await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, first.messageId));
        expect(queued).toHaveLength(3);
        const { messages: got } = await p1.sync();
        expect(got.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
        await Promise.all([a2.sync(), p2.sync()]);
      });

      it('a device can acknowledge only its own copies, alone or mixed with others in one batch', async () => {
        const { messageId } = await a1.send(conversationId, { type: 'text', text: 'whose copy?' });
        const copies = await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, messageId));
        const seqOf = (m: Messenger) => copies.find((c) => c.deviceId === m.device.deviceId)!.seq;
        // Over HTTP: Piotr's desk names his phone's copy.
        const res = await piotr.client.post(`/api/v1/devices/${p1.device.deviceId}/acks`, { seqs: [seqOf(p2)] });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toEqual({ acknowledged: 0 });
        // In one batch of several devices (as the streams of one turn are committed): only the rightful ones count.
        // Imported once the server runs: relay modules build zod schemas that the app's routes extend with .openapi(),
        // which only works if @hono/zod-openapi has extended zod first (as the server's own imports ensure).
        const { acknowledgeOnDevices } = await import('../../src/relay/deliveryQueue');
        const result = await acknowledgeOnDevices(server.services, [
          { deviceId: p1.device.deviceId, seqs: [seqOf(p1), seqOf(a2)] },
          { deviceId: p2.device.deviceId, seqs: [seqOf(p2)] },
        ]);
        expect(result).toEqual({ acknowledged: 2 });
        const left = await server.services.database.db.select().from(deliveries).where(eq(deliveries.messageId, messageId));
        expect(left.map((c) => c.deviceId)).toEqual([a2.device.deviceId]);
        await a2.sync();
        const [row] = await server.services.database.db.select().from(messages).where(eq(messages.id, messageId));
        expect(row!.envelope).toBeNull();
      });

      it('read receipts travel as E2E messages', async () => {
        const posted = await p1.markRead(conversationId, [sent.messageId]);
        const { messages: got } = await a1.sync();
        expect(got.find((m) => m.messageId === posted.messageId)?.content).toEqual({ type: 'read', messageIds: [sent.messageId] });
        await Promise.all([a2.sync(), p2.sync()]);
      });
    });

    describe('safety numbers and key changes', () => {
      it('both sides compute the same safety number, and a new device is reported as a key change', async () => {
        const { record: seenByAnna } = await a1.conversation(conversationId);
        const { record: seenByPiotr } = await p1.conversation(conversationId);
        const keysOf = (record: typeof seenByAnna, userId: string) => ({
          userId,
          identityKeys: record.members.find((m) => m.userId === userId)!.devices.filter((d) => d.revokedAt === null).map((d) => d.identityKey),
        });
        const fromAnna = await safetyNumber(keysOf(seenByAnna, anna.user.id), keysOf(seenByAnna, piotr.user.id));
        const fromPiotr = await safetyNumber(keysOf(seenByPiotr, piotr.user.id), keysOf(seenByPiotr, anna.user.id));
        expect(fromAnna).toBe(fromPiotr);

        const p3 = await newDevice(piotr, 'Piotr new laptop', await login(piotr));
        const { changes } = await a1.conversation(conversationId);
        expect(changes).toEqual([{ userId: piotr.user.id, added: [p3.device.keys && (await deviceKey(p3))], removed: [] }]);
        // The stale device list is refreshed on send: the new device gets the next message.
        const posted = await a2.sendText(conversationId, 'hello new laptop');
        expect(posted.recipientDeviceIds).toContain(p3.device.deviceId);
        expect((await p3.sync()).messages.map((m) => m.messageId)).toEqual([posted.messageId]);
        await Promise.all([a1.sync(), p1.sync(), p2.sync()]);
      });
    });

    describe('what the server refuses', () => {
      it('refuses a non-member, a forged signature, a re-addressed envelope and a reused id', async () => {
        const stranger = await newDevice(outsider, 'Olga desk');
        await expect(stranger.sendText(conversationId, 'let me in')).rejects.toMatchObject({ status: 404 });

        const record = (await a1.conversation(conversationId)).record;
        const { sealEnvelope, encodeContent } = await import('../../clients/sdk/crypto');
        const recipients = record.members.flatMap((m) => m.devices).filter((d) => d.revokedAt === null && d.id !== a1.device.deviceId);
        const envelope = await sealEnvelope({
          conversationId,
          sender: { deviceId: a1.device.deviceId, keys: a1.device.keys },
          recipients: recipients.map((d) => ({ deviceId: d.id, agreementKey: d.agreementKey })),
          plaintext: encodeContent({ type: 'text', text: 'original' }),
        });
        const post = (body: unknown, id = conversationId) => anna.client.post(`/api/v1/conversations/${id}/messages`, body);

        const flipped = envelope.ciphertext[5] === 'A' ? 'B' : 'A';
        const tampered = { ...envelope, ciphertext: envelope.ciphertext.slice(0, 5) + flipped + envelope.ciphertext.slice(6) };
        const forged = await post(tampered);
        expect(forged.status, forged.text).toBe(422);
        expect(forged.body.detail).toMatch(/signature/);

        const other = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
        const readdressed = await post({ ...envelope, conversationId: other }, other);
        expect(readdressed.status).toBe(422);
        expect((await post(envelope, other)).status).toBe(422);

        expect((await post(envelope)).status).toBe(201);
        // Another device may not take over a message id.
        await expect(a2.send(conversationId, { type: 'text', text: 'same id' }, { messageId: envelope.messageId })).rejects.toMatchObject({ status: 409 });
        await Promise.all([a2.sync(), p1.sync(), p2.sync()]);
      });

      it('refuses posting to a closed conversation', async () => {
        const closing = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
        await server.services.database.batch([closeConversationStatement(server.services, closing, Date.now())]);
        await expect(a1.sendText(closing, 'too late')).rejects.toMatchObject({ status: 409 });
      });

      it('a revoked device can no longer post, and its queue is dropped', async () => {
        const spare = await newDevice(anna, 'Anna spare', await login(anna));
        await a1.sendText(conversationId, 'queued for the spare');
        const revoke = await anna.client.delete(`/api/v1/devices/${spare.device.deviceId}`);
        expect(revoke.status, revoke.text).toBe(204);
        const left = await server.services.database.db.select().from(deliveries).where(eq(deliveries.deviceId, spare.device.deviceId));
        expect(left).toEqual([]);
        await expect(spare.sendText(conversationId, 'from a revoked device')).rejects.toMatchObject({ status: 409 });
        await Promise.all([a2.sync(), p1.sync(), p2.sync()]);
      });
    });

    describe('what the recipient SDK refuses, even if the server were malicious', () => {
      // Simulates a compromised server by writing envelopes straight into a device's queue.
      async function inject(envelope: unknown, options: { conversationId?: string; rowId?: string } = {}) {
        const rowId = options.rowId ?? crypto.randomUUID();
        const { db } = server.services.database;
        await server.services.database.batch([
          db.insert(messages).values({
            id: rowId,
            conversationId: options.conversationId ?? conversationId,
            senderUserId: anna.user.id,
            senderDeviceId: a1.device.deviceId,
            envelope: JSON.stringify(envelope),
            signature: 'x',
            size: 1,
            recipientCount: 1,
            createdAt: Date.now(),
          }),
          db.insert(deliveries).values({ deviceId: p1.device.deviceId, messageId: rowId, createdAt: Date.now() }),
        ]);
      }

      async function sealed(text: string, sender: Messenger = a1, conversation = conversationId) {
        const { sealEnvelope, encodeContent } = await import('../../clients/sdk/crypto');
        return sealEnvelope({
          conversationId: conversation,
          sender: { deviceId: sender.device.deviceId, keys: sender.device.keys },
          recipients: [{ deviceId: p1.device.deviceId, agreementKey: await agreementKey(p1) }],
          plaintext: encodeContent({ type: 'text', text }),
        });
      }

      it('rejects tampered ciphertext, header and signature, replays, re-addressed envelopes and revoked senders', async () => {
        const good = await sealed('genuine');
        const flip = (s: string) => (s[3] === 'A' ? s.slice(0, 3) + 'B' + s.slice(4) : s.slice(0, 3) + 'A' + s.slice(4));
        await inject({ ...good, ciphertext: flip(good.ciphertext) });
        await inject({ ...good, sentAt: good.sentAt + 1 });
        await inject({ ...good, signature: flip(good.signature) });
        await inject(good);
        await inject(good); // the same envelope again under another row: a replay
        const other = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
        await inject(await sealed('meant for the first conversation'), { conversationId: other });
        const spare = await newDevice(anna, 'Anna old phone', await login(anna));
        const fromRevoked = await sealed('from the old phone', spare);
        await anna.client.delete(`/api/v1/devices/${spare.device.deviceId}`);
        await inject(fromRevoked);

        const { messages: accepted, rejected } = await p1.sync();
        expect(accepted.map((m) => (m.content as TextContent).text)).toEqual(['genuine']);
        expect(rejected.map((r) => r.reason)).toEqual(['bad_signature', 'bad_signature', 'bad_signature', 'duplicate', 'wrong_conversation', 'revoked_sender']);
        // Refused envelopes are acknowledged too, so a forger cannot clog the queue.
        const left = await server.services.database.db.select({ n: sql<number>`count(*)` }).from(deliveries).where(eq(deliveries.deviceId, p1.device.deviceId));
        expect(left[0]!.n).toBe(0);
      });
    });
  });
}
