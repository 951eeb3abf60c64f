/**
 * @module Live streams on Node: device WebSockets through @hono/node-ws and the NCB event stream, both fed by the
 * process's in-memory hub, both ending with their session (src/relay/streamSession.ts), both counted against the
 * caps per device and per session; a device frame over the size limit closes its socket (1009) unread. Envelopes sent
 * over a device stream count against the same budget as the HTTP route's: `rateLimiters` is the app's.
 */
import type { NodeWebSocket } from '@hono/node-ws';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { sessionEndsAt, sessionTokenHash } from '../../auth/sessions';
import type { RateLimiterFactory } from '../../auth/rateLimiter';
import type { LiveStreams } from '../../http/liveStreams';
import { streamSender } from '../../http/streamSend';
import { openInboxStream } from '../../ncb/inboxStream';
import { FRAME_TOO_BIG_CLOSE, frameTooBigReason, openDeviceStream, SESSION_ENDED_CLOSE, type DeviceStream } from '../../relay/deviceStream';
import { watchSessionExpiry, type StreamSession } from '../../relay/streamSession';
import type { NodeServices } from './openServices';
import { streamSlots } from './streamSlots';

/** A handshake that never completes (the client went away, a malformed key) gives its place back after this. */
const UNOPENED_MS = 10_000;

export function nodeLiveStreams(
  services: NodeServices,
  webSockets: Pick<NodeWebSocket, 'upgradeWebSocket' | 'wss'>,
  rateLimiters: RateLimiterFactory,
): LiveStreams {
  limitFrameSize(webSockets.wss, services.config.maxFrameBytes);
  const sender = streamSender(services, { rateLimiters });
  const slots = streamSlots(services.config);
  const streamSession = async (token: string): Promise<StreamSession> => {
    const tokenHash = await sessionTokenHash(token);
    return { tokenHash, endsAt: () => sessionEndsAt(services, tokenHash) };
  };
  return {
    async device(c, { actor, deviceId, sessionToken }) {
      const session = await streamSession(sessionToken);
      const release = slots.claim({ tokenHash: session.tokenHash, deviceId });
      const unopened = setTimeout(release, UNOPENED_MS);
      let stream: DeviceStream | undefined;
      let stopWatching: (() => void) | undefined;
      const upgrade = webSockets.upgradeWebSocket(() => ({
        onOpen(_event, ws) {
          clearTimeout(unopened);
          stream = openDeviceStream(services, { actor, deviceId, sessionTokenHash: session.tokenHash, socket: ws, live: services.hub, replay: true, sender });
          stopWatching = watchSessionExpiry(services.clock, session, (cause) =>
            cause === 'ended' ? ws.close(SESSION_ENDED_CLOSE, 'session ended') : ws.close(1011, 'session check failed'),
          );
        },
        onMessage(event) {
          stream?.receive(String(event.data));
        },
        onClose() {
          clearTimeout(unopened);
          release();
          stopWatching?.();
          stream?.end();
        },
      }));
      return upgrade(c, async () => {}) as Promise<Response>;
    },
    async inbox(c, { actor, sessionToken }) {
      const session = await streamSession(sessionToken);
      const release = slots.claim({ tokenHash: session.tokenHash });
      return openInboxStream(services, { actor, live: services.hub, session, signal: c.req.raw.signal, onEnd: release });
    },
  };
}

type SendArguments = Parameters<WebSocket['send']>;

/**
 * `ws` refuses a frame over `maxPayload` from its header, before reading the payload, and closes with 1009 but no
 * reason. @hono/node-ws builds its server without options, so they are set on it here, before any connection, and
 * its sockets are of a class that names the limit in that close.
 *
 * The same class corks its TCP socket from the first frame sent in an event-loop turn until the turn ends, so a busy
 * device gets the envelopes, receipts and send answers of one turn in one write. A write system call per frame was
 * the largest single cost in the delivery benchmark's profile; corked, the server's CPU per delivered message fell
 * by a fifth (npm run bench -- delivery --transport ws, interleaved runs).
 */
function limitFrameSize(wss: NodeWebSocket['wss'], maxFrameBytes: number): void {
  wss.options.maxPayload = maxFrameBytes;
  wss.options.WebSocket = class FrameLimitedWebSocket extends WebSocket {
    private corked = false;

    override close(code?: number, data?: string | Buffer): void {
      super.close(code, code === FRAME_TOO_BIG_CLOSE && data === undefined ? frameTooBigReason(maxFrameBytes) : data);
    }

    override send(data: SendArguments[0], cb?: SendArguments[2]): void;
    override send(data: SendArguments[0], options: SendArguments[1], cb?: SendArguments[2]): void;
    override send(...args: unknown[]): void {
      // ws keeps its TCP socket as `_socket` (absent before the handshake ends); there is no public cork.
      const socket = (this as unknown as { _socket?: Socket })._socket;
      if (socket && !this.corked && this.readyState === WebSocket.OPEN) {
        this.corked = true;
        socket.cork();
        setImmediate(() => {
          this.corked = false;
          socket.uncork();
        });
      }
      (super.send as (...sent: unknown[]) => void)(...args);
    }
  };
}
