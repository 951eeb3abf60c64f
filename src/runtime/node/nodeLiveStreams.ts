/**
 * @module Live streams on Node: device WebSockets through @hono/node-ws and the NCB event stream, both fed by the
 * process's in-memory hub, both ending when their session does (checked every few seconds).
 */
import type { UpgradeWebSocket } from 'hono/ws';
import { resolveSession } from '../../auth/sessions';
import type { LiveStreams } from '../../http/liveStreams';
import { openInboxStream, SESSION_RECHECK_MS } from '../../ncb/inboxStream';
import { openDeviceStream, SESSION_ENDED_CLOSE, type DeviceStream } from '../../relay/deviceStream';
import type { Services } from '../services';

export function nodeLiveStreams(services: Services, upgradeWebSocket: UpgradeWebSocket): LiveStreams {
  const sessionIsLive = (token: string) => resolveSession(services, token).then((actor) => actor !== undefined);
  return {
    device(c, { actor, deviceId, sessionToken }) {
      let stream: DeviceStream | undefined;
      let recheck: ReturnType<typeof setInterval> | undefined;
      const upgrade = upgradeWebSocket(() => ({
        onOpen(_event, ws) {
          stream = openDeviceStream(services, { actor, deviceId, socket: ws, live: services.hub, replay: true });
          recheck = setInterval(() => {
            sessionIsLive(sessionToken).then(
              (live) => live || ws.close(SESSION_ENDED_CLOSE, 'session ended'),
              () => ws.close(1011, 'session check failed'),
            );
          }, SESSION_RECHECK_MS);
        },
        onMessage(event) {
          stream?.receive(String(event.data));
        },
        onClose() {
          clearInterval(recheck);
          stream?.end();
        },
      }));
      return upgrade(c, async () => {}) as Promise<Response>;
    },
    inbox(c, { actor, sessionToken }) {
      return openInboxStream(services, { actor, live: services.hub, sessionIsLive: () => sessionIsLive(sessionToken), signal: c.req.raw.signal });
    },
  };
}
