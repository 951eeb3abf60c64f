// Sending over the device's own stream (docs/protocol.md, "Sending over the stream"): a `send` frame is answered by its
// id with `sent` once the envelope is committed, or with `error` and the problem the HTTP route answers for the same
// envelope; a refused frame writes nothing and leaves the socket usable. The SDK sends over the stream while it is
// ready, over HTTP otherwise, and re-posts over HTTP what a closing stream left unanswered. A scenario: it runs on
// Node (tests/relay/streamSend.test.ts) and in workerd (tests/worker/streamSend.test.ts).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../../clients/sdk/api';
import { b64, encodeContent, sealEnvelope, sodiumReady, type EnvelopeV1, type TextContent } from '../../clients/sdk/crypto';
import { Messenger, type ReceivedMessage, type SocketLike } from '../../clients/sdk/messenger';
import { closeConversationStatement, createConversation } from '../../src/relay/conversations';
import { deliveries, messages } from '../../src/relay/tables';
import type { ApiClient } from '../support/apiClient';
import { newDevice } from '../support/devices';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, inviteCast, login, seedDirectory, type Person } from '../support/people';
import { waitFor } from '../support/waitFor';

export interface StreamSendRuntime {
  /** Uses up the user's budget of messages sent this minute, as the runtime's streams count it. */
  spendSendBudget?(server: Harness, client: ApiClient, userId: string): Promise<void>;
}

interface Frame {
  type: string;
  id?: string;
  problem?: { type: string; title: string; status: number; detail: string; errors?: Array<{ field: string; message: string }> };
  [key: string]: unknown;
}

interface RawStream {
  frames: Frame[];
  send(text: string): void;
  /** The answer to the send frame `id`. */
  answer(id: string): Promise<Frame>;
  /** The next error frame without an id after `before` frames. */
  anonymousError(before: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
  /** Closes the socket; resolves once the server has closed it too (its place among the device's streams is free). */
  close(): Promise<{ code: number; reason: string }>;
  /** Called with each frame as it arrives. */
  onFrame: ((frame: Frame) => void) | undefined;
}

async function openRawStream(server: Harness, client: ApiClient, deviceId: string): Promise<RawStream> {
  const socket = client.openSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/devices/${deviceId}/stream`);
  const frames: Frame[] = [];
  const hooks: { onFrame?: (frame: Frame) => void } = {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => resolve({ code: (event as { code: number }).code, reason: String((event as { reason?: string }).reason ?? '') });
  });
  socket.onmessage = (event) => {
    const frame = JSON.parse(String(event.data)) as Frame;
    frames.push(frame);
    hooks.onFrame?.(frame);
  };
  await waitFor(() => frames.find((f) => f.type === 'ready'), 'the stream to be ready');
  return {
    frames,
    send: (text) => socket.send(text),
    answer: (id) => waitFor(() => frames.find((f) => f.id === id && (f.type === 'sent' || f.type === 'error')), `the answer to send ${id}`),
    anonymousError: (before) => waitFor(() => frames.slice(before).find((f) => f.type === 'error' && f.id === undefined), 'an error frame without id'),
    closed,
    close: () => {
      socket.close();
      return closed;
    },
    set onFrame(listener: ((frame: Frame) => void) | undefined) {
      hooks.onFrame = listener;
    },
  };
}

const sendFrame = (id: string, conversationId: string, envelope: unknown) => JSON.stringify({ type: 'send', id, conversationId, envelope });

/** The problem HTTP answered, without the request id a frame has no use for. */
function withoutRequestId(problem: Record<string, unknown>) {
  const { requestId: _requestId, ...rest } = problem;
  return rest;
}

export function streamSendScenario(start: StartHarness, runtime: StreamSendRuntime = {}) {
  describe('sending over the device stream', () => {
    let server: Harness;
    let anna: Person;
    let piotr: Person;
    let olga: Person;
    let a1: Messenger, a2: Messenger, p1: Messenger, o1: Messenger;
    let conversationId: string;
    let elsewhere: string; // Piotr and Olga's: Anna is not a member
    let closed: string;
    let serial = 0;

    const messageRows = async () =>
      Number((await server.services.database.db.select({ n: sql<number>`count(*)` }).from(messages))[0]!.n);

    /** A genuine envelope from `from` (sealed with libsodium for `to`), as the SDK builds it. */
    const queuedSeqs = async (deviceId: string) =>
      (await server.services.database.db.select({ seq: deliveries.seq }).from(deliveries).where(eq(deliveries.deviceId, deviceId))).map((r) => r.seq);

    async function seal(from: Messenger, to: Messenger[], conversation = conversationId): Promise<EnvelopeV1> {
      await sodiumReady();
      return sealEnvelope({
        conversationId: conversation,
        sender: { deviceId: from.device.deviceId, keys: from.device.keys },
        recipients: to.map((d) => ({ deviceId: d.device.deviceId, agreementKey: b64(d.device.keys.agreementPublic) })),
        plaintext: encodeContent({ type: 'text', text: `test message ${++serial}` }),
      });
    }

    /** Sends a frame that must be refused: answers the problem, writes nothing. */
    async function refused(stream: RawStream, conversation: string, envelope: unknown): Promise<NonNullable<Frame['problem']>> {
      const before = await messageRows();
      const id = `refused-${++serial}`;
      stream.send(sendFrame(id, conversation, envelope));
      const answer = await stream.answer(id);
      expect(answer.type, JSON.stringify(answer)).toBe('error');
      expect(await messageRows()).toBe(before);
      return answer.problem!;
    }

    /** The stream still sends after a refusal. */
    async function stillSends(stream: RawStream): Promise<void> {
      const envelope = await seal(a1, [a2, p1]);
      const id = `after-${++serial}`;
      stream.send(sendFrame(id, conversationId, envelope));
      expect(await stream.answer(id)).toMatchObject({ type: 'sent', messageId: envelope.messageId, duplicate: false });
    }

    beforeAll(async () => {
      server = await start();
      const admin = await enrolFirstAdmin(server);
      ({ anna, piotr, olga } = await inviteCast(admin, await seedDirectory(admin), 'anna', 'piotr', 'olga'));
      a1 = await newDevice(anna, 'Anna desk');
      a2 = await newDevice(anna, 'Anna laptop', await login(anna));
      p1 = await newDevice(piotr, 'Piotr desk');
      o1 = await newDevice(olga, 'Olga desk');
      conversationId = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
      elsewhere = await createConversation(server.services, { memberUserIds: [piotr.user.id, olga.user.id] });
      closed = await createConversation(server.services, { memberUserIds: [anna.user.id, piotr.user.id] });
      await server.services.database.batch([closeConversationStatement(server.services, closed, Date.now())]);
    });
    afterAll(async () => server.stop());

    it('answers `sent` once the envelope is committed; the recipient decrypts it and its receipt reaches the sender', async () => {
      const got: ReceivedMessage[] = [];
      const p1Stream = p1.connect({ onMessage: (m) => got.push(m) });
      const a1Stream = await openRawStream(server, anna.client, a1.device.deviceId);
      await p1Stream.ready;
      const envelope = await seal(a1, [a2, p1]);
      // Read the moment the acceptance arrives: the row must be there already.
      let rowWhenAnswered: Promise<unknown> | undefined;
      a1Stream.onFrame = (frame) => {
        if (frame.id === 'first') rowWhenAnswered = server.services.database.db.select().from(messages).where(eq(messages.id, envelope.messageId));
      };
      a1Stream.send(sendFrame('first', conversationId, envelope));
      await waitFor(() => rowWhenAnswered, 'the sent frame');
      expect(((await rowWhenAnswered) as unknown[])[0]).toMatchObject({ id: envelope.messageId, senderDeviceId: a1.device.deviceId });
      const answer = await a1Stream.answer('first');
      expect(answer).toMatchObject({ type: 'sent', id: 'first', messageId: envelope.messageId, duplicate: false });
      expect(answer.receivedAt).toBeTypeOf('number');
      expect([...(answer.recipientDeviceIds as string[])].sort()).toEqual([a2, p1].map((d) => d.device.deviceId).sort());
      const received = await waitFor(() => got.find((m) => m.messageId === envelope.messageId), 'delivery to p1');
      expect(received).toMatchObject({ senderUserId: anna.user.id, senderDeviceId: a1.device.deviceId });
      expect((received.content as TextContent).text).toMatch(/^test message \d+$/);
      await waitFor(() => a1Stream.frames.find((f) => f.type === 'receipt' && f.messageId === envelope.messageId && f.deviceId === p1.device.deviceId), 'the receipt on a1');

      // The same envelope again, under another request id: the stored message comes back, nothing is written.
      const before = await messageRows();
      a1Stream.send(sendFrame('again', conversationId, envelope));
      expect(await a1Stream.answer('again')).toMatchObject({ type: 'sent', messageId: envelope.messageId, receivedAt: answer.receivedAt, duplicate: true });
      expect(await messageRows()).toBe(before);
      p1Stream.close();
      await Promise.all([p1Stream.closed, a1Stream.close()]);
    });

    it('answers an acknowledgement the database refuses with a 500 problem naming no internals; the copy stays queued', async () => {
      const a1Stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const p1Stream = await openRawStream(server, piotr.client, p1.device.deviceId);
      const envelope = await seal(a1, [a2, p1]);
      a1Stream.send(sendFrame('to-ack', conversationId, envelope));
      expect(await a1Stream.answer('to-ack')).toMatchObject({ type: 'sent' });
      const delivered = await waitFor(() => p1Stream.frames.find((f) => f.type === 'envelope' && f.messageId === envelope.messageId), 'delivery to p1');
      await server.execute(`CREATE TRIGGER refuse_acks BEFORE DELETE ON deliveries BEGIN SELECT RAISE(ABORT, 'injected acknowledgement fault'); END`);
      try {
        const before = p1Stream.frames.length;
        p1Stream.send(JSON.stringify({ type: 'ack', seqs: [delivered.seq] }));
        const refusal = await p1Stream.anonymousError(before);
        expect(refusal.problem).toMatchObject({ status: 500, title: 'Internal error' });
        expect(JSON.stringify(refusal)).not.toMatch(/injected|deliveries|trigger|SQLITE/i);
        expect(await queuedSeqs(p1.device.deviceId)).toContain(delivered.seq);
      } finally {
        await server.execute('DROP TRIGGER refuse_acks');
      }
      // The same acknowledgement once the fault is gone: the copy is deleted and the receipt reaches the sender.
      p1Stream.send(JSON.stringify({ type: 'ack', seqs: [delivered.seq] }));
      await waitFor(() => a1Stream.frames.find((f) => f.type === 'receipt' && f.messageId === envelope.messageId && f.deviceId === p1.device.deviceId), 'the receipt on a1');
      expect(await queuedSeqs(p1.device.deviceId)).not.toContain(delivered.seq);
      await Promise.all([a1Stream.close(), p1Stream.close()]);
    });

    it('answers many sends in flight on one socket, each by its id', async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const envelopes = await Promise.all(Array.from({ length: 12 }, () => seal(a1, [a2, p1])));
      envelopes.forEach((envelope, i) => stream.send(sendFrame(`burst-${i}`, conversationId, envelope)));
      for (const [i, envelope] of envelopes.entries()) {
        expect(await stream.answer(`burst-${i}`)).toMatchObject({ type: 'sent', messageId: envelope.messageId, duplicate: false });
      }
      await stream.close();
    });

    it('refuses what is not a request with a 400 problem without id, and keeps serving', async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const before = await messageRows();
      for (const frame of ['{not json', JSON.stringify({ type: 'send', conversationId, envelope: await seal(a1, [a2, p1]) }), JSON.stringify({ type: 'send', id: 'spaces are not allowed' }), '[]', 'null']) {
        const count = stream.frames.length;
        stream.send(frame);
        const error = await stream.anonymousError(count);
        expect(error.problem).toMatchObject({ type: 'about:blank', status: 400, title: 'Invalid request' });
      }
      // An unknown type with a usable id is answered by that id.
      stream.send(JSON.stringify({ type: 'shout', id: 'odd' }));
      expect((await stream.answer('odd')).problem).toMatchObject({ status: 400 });
      expect(await messageRows()).toBe(before);
      await stillSends(stream);
      await stream.close();
    });

    it('refuses an envelope failing the schema with the fields HTTP names', async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const envelope = { ...(await seal(a1, [a2, p1])), nonce: 'short', extra: true };
      const problem = await refused(stream, conversationId, envelope);
      expect(problem.status).toBe(400);
      expect(problem.errors!.map((e) => e.field)).toEqual(expect.arrayContaining(['nonce']));
      const http = await anna.client.post(`/api/v1/conversations/${conversationId}/messages`, envelope);
      expect(problem).toEqual(withoutRequestId(http.body));
      // No envelope at all, and a conversation id that is not one.
      expect((await refused(stream, conversationId, undefined)).status).toBe(400);
      expect((await refused(stream, '', await seal(a1, [a2, p1]))).errors).toEqual([expect.objectContaining({ field: 'conversationId' })]);
      await stillSends(stream);
      await stream.close();
    });

    it('refuses what HTTP refuses, with the same problem: not a member, a closed conversation, a bad signature', async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const notMine = await seal(a1, [p1, o1], elsewhere);
      const inClosed = await seal(a1, [a2, p1], closed);
      const genuine = await seal(a1, [a2, p1]);
      const forged = { ...genuine, signature: genuine.signature.startsWith('A') ? `B${genuine.signature.slice(1)}` : `A${genuine.signature.slice(1)}` };
      for (const [conversation, envelope, status] of [[elsewhere, notMine, 404], [closed, inClosed, 409], [conversationId, forged, 422]] as const) {
        const problem = await refused(stream, conversation, envelope);
        expect(problem.status, problem.detail).toBe(status);
        const http = await anna.client.post(`/api/v1/conversations/${conversation}/messages`, envelope);
        expect(problem).toEqual(withoutRequestId(http.body));
      }
      await stillSends(stream);
      await stream.close();
    });

    it("refuses an envelope from another device than the stream's, even the user's own", async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const fromA2 = await seal(a2, [a1, p1]);
      const problem = await refused(stream, conversationId, fromA2);
      expect(problem).toMatchObject({ status: 404, title: 'Not found' });
      expect(problem.detail).toContain(a2.device.deviceId);
      const fromOlga = await seal(o1, [p1], elsewhere);
      expect((await refused(stream, elsewhere, fromOlga)).status).toBe(404);
      await stillSends(stream);
      await stream.close();
    });

    it('closes the socket on a frame over the limit (1009), writing nothing', async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      const before = await messageRows();
      const maxFrameBytes = server.services.config.maxFrameBytes;
      const head = sendFrame('big', conversationId, { pad: '' });
      stream.send(head.replace('"pad":""', `"pad":"${'x'.repeat(maxFrameBytes + 1 - head.length)}"`));
      expect(await stream.closed).toMatchObject({ code: 1009 });
      expect(await messageRows()).toBe(before);
    });

    describe('the SDK', () => {
      /** a1 again, through a fetch that counts the messages it posts over HTTP. */
      function countingMessenger(): { messenger: Messenger; posts: () => number; socket: () => SocketLike | undefined; dropSends: (drop: boolean) => void } {
        let posts = 0;
        let last: SocketLike | undefined;
        let drop = false;
        const fetcher: typeof fetch = (input, init) => {
          if (init?.method === 'POST' && /\/messages$/.test(String(input instanceof Request ? input.url : input))) posts++;
          return anna.client.fetch(input, init);
        };
        const openSocket = (url: string): SocketLike => {
          const real = anna.client.openSocket(url);
          // A socket whose send frames are lost on the way, as when the network drops under them.
          const send = real.send.bind(real);
          real.send = (data: string) => (drop && data.includes('"type":"send"') ? undefined : send(data));
          return (last = real);
        };
        const messenger = new Messenger(new Api({ baseUrl: anna.client.baseUrl, fetch: fetcher }), a1.device, { openSocket });
        return { messenger, posts: () => posts, socket: () => last, dropSends: (d) => void (drop = d) };
      }

      it('sends over the open stream without an HTTP post, and over HTTP when not connected', async () => {
        const { messenger, posts } = countingMessenger();
        const got: ReceivedMessage[] = [];
        const p1Stream = p1.connect({ onMessage: (m) => got.push(m) });
        await p1Stream.ready;

        const offline = await messenger.sendText(conversationId, 'before connecting');
        expect(posts()).toBe(1);
        const stream = messenger.connect({});
        await stream.ready;
        const live = await messenger.sendText(conversationId, 'over the stream');
        expect(live.duplicate).toBe(false);
        expect(posts()).toBe(1);
        for (const { messageId } of [offline, live]) await waitFor(() => got.find((m) => m.messageId === messageId), 'delivery to p1');
        // A refusal arrives as the same ApiProblem HTTP would give.
        await expect(messenger.sendText(closed, 'into a closed case')).rejects.toMatchObject({ name: 'ApiProblem', status: 409 });
        expect(posts()).toBe(1);

        await stream.close();
        await stream.closed;
        await messenger.sendText(conversationId, 'after closing');
        expect(posts()).toBe(2);
        p1Stream.close();
      });

      it('re-posts over HTTP the sends a dropped stream left unanswered: none lost, none stored twice', async () => {
        const { messenger, posts, socket, dropSends } = countingMessenger();
        const stream = messenger.connect({});
        await stream.ready;
        dropSends(true);
        const sending = Promise.all([messenger.sendText(conversationId, 'in flight 1'), messenger.sendText(conversationId, 'in flight 2')]);
        // The frames are out (and lost); then the connection goes.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(posts()).toBe(0);
        socket()!.close();
        const sent = await sending;
        expect(posts()).toBe(2);
        for (const { messageId } of sent) {
          expect(await server.services.database.db.select().from(messages).where(eq(messages.id, messageId))).toHaveLength(1);
        }

        // Frames that did reach the server before the drop: the HTTP retry finds them stored, or stores them once.
        dropSends(false);
        const again = messenger.connect({});
        await again.ready;
        const racing = Promise.all([messenger.sendText(conversationId, 'racing 1'), messenger.sendText(conversationId, 'racing 2')]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        socket()!.close();
        for (const { messageId } of await racing) {
          expect(await server.services.database.db.select().from(messages).where(eq(messages.id, messageId))).toHaveLength(1);
        }
        await again.closed;
      });
    });

    // Last: it spends the user's budget for the rest of the minute.
    it("refuses a send over the user's budget with 429, writing nothing, and keeps serving", async () => {
      const stream = await openRawStream(server, anna.client, a1.device.deviceId);
      if (runtime.spendSendBudget) await runtime.spendSendBudget(server, anna.client, anna.user.id);
      else await spendOverHttp(anna.client, anna.user.id);
      const problem = await refused(stream, conversationId, await seal(a1, [a2, p1]));
      expect(problem).toMatchObject({ status: 429, title: 'Too many requests' });
      expect(problem.detail).toMatch(/Too many messages sent/);
      // The socket still answers: an acknowledgement-shaped mistake gets its error frame.
      const count = stream.frames.length;
      stream.send('{"type":"ack","seqs":[]}');
      await stream.anonymousError(count);
      await stream.close();
    });
  });
}

/**
 * Posts schema-valid envelopes to a conversation that does not exist until the route says 429: each passes validation,
 * counts against the budget and is then refused (404), so nothing is written and nothing needs encrypting.
 */
async function spendOverHttp(client: ApiClient, userId: string): Promise<void> {
  const fill = (n: number) => 'A'.repeat(n);
  for (let i = 0; i < 10_000; i++) {
    const envelope = { v: 1, conversationId: 'nowhere', messageId: fill(22), senderDeviceId: userId, sentAt: 0, nonce: fill(32), ciphertext: 'AA', keys: [{ deviceId: 'x', wrapped: fill(64) }], signature: fill(86) };
    const res = await client.post('/api/v1/conversations/nowhere/messages', envelope);
    if (res.status === 429) return;
  }
  throw new Error('the send budget never ran out');
}
