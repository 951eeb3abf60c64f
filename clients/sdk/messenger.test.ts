// The stream's acknowledgement after the socket ended: some sockets (workerd's) throw on send() after close(), and
// an envelope still being opened when the stream ends must not turn into an unhandled rejection. The server keeps
// the copy queued and hands it out again on the next stream.
import { describe, expect, it } from 'vitest';
import { Api } from './api';
import { generateDeviceKeys } from './crypto';
import { Messenger, type SocketLike } from './messenger';

function throwingAfterClose(): SocketLike & { sent: string[]; closedByUs: boolean } {
  const socket = {
    sent: [] as string[],
    closedByUs: false,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send(data: string) {
      if (socket.closedByUs) throw new TypeError("Can't call WebSocket send() after close().");
      socket.sent.push(data);
    },
    close() {
      socket.closedByUs = true;
    },
  } as SocketLike & { sent: string[]; closedByUs: boolean };
  return socket;
}

describe('Messenger.connect', () => {
  it('does not acknowledge over a stream that ended while an envelope was being opened', async () => {
    const socket = throwingAfterClose();
    // The conversation as the server lists it (no network: answered here).
    const conversation = { id: 'c', status: 'open', members: [{ userId: 'u2', displayName: 'Piotr', devices: [] }] };
    const api = new Api({ baseUrl: 'http://127.0.0.1:9', fetch: async () => Response.json(conversation) });
    const messenger = new Messenger(api, { deviceId: 'd1', userId: 'u1', keys: await generateDeviceKeys() }, { openSocket: () => socket });
    const rejected: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const stream = messenger.connect({ onRejected: (r) => rejected.push(r) });
      socket.onmessage!({ data: JSON.stringify({ type: 'ready', maxFrameBytes: 1 << 20 }) });
      await stream.ready;
      // A malformed envelope is refused (and normally acknowledged, so it cannot clog the queue)…
      socket.onmessage!({ data: JSON.stringify({ type: 'envelope', seq: 7, messageId: 'm', conversationId: 'c', senderUserId: 'u2', receivedAt: 1, envelope: { v: 1 } }) });
      // …but the stream ends before that acknowledgement can go out.
      stream.close();
      socket.onclose!({ code: 1000 });
      await stream.closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejected).toHaveLength(1);
      expect(socket.sent).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
