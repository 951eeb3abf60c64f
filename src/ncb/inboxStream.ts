/**
 * @module The NCB inbox's live push as server-sent events, the same on every runtime: a `ready` event with the
 * unacknowledged count, then every notification, acknowledgement and escalation of the officer's NCB, with a
 * keepalive comment when idle. It ends with its session (src/relay/streamSession.ts: at once on a sign-out naming
 * it, at the moment it expires). The runtime supplies the subscription (the process's hub, or the Durable Object's own).
 */
import type { Actor } from '../directory/actor';
import type { Platform } from '../platform';
import type { DeliveryHub, HubEvent } from '../relay/deliveryHub';
import { signsOut, watchSessionExpiry, type StreamSession } from '../relay/streamSession';
import { unacknowledgedCount } from './inbox';

/** Keeps proxies from closing an idle event stream. */
const KEEPALIVE_MS = 25_000;

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export function openInboxStream(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: {
    actor: Actor;
    live: Pick<DeliveryHub, 'subscribe'>;
    session: StreamSession;
    signal?: AbortSignal;
    /** Called once when the stream ends, whatever ended it (the runtime counts its open streams). */
    onEnd?: () => void;
  },
): Response {
  const { actor } = input;
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const timers: Array<ReturnType<typeof setInterval>> = [];
      const unsubscribers: Array<() => void> = [];
      stop = () => {
        if (!open) return;
        open = false;
        timers.forEach(clearInterval);
        unsubscribers.forEach((u) => u());
        input.onEnd?.();
        try {
          controller.close();
        } catch {
          // already closed by the reader going away
        }
      };
      const push = (event: HubEvent) => open && controller.enqueue(frame(event.type, event));
      unsubscribers.push(input.live.subscribe(`ncb:${actor.agencyId}`, push));
      unsubscribers.push(input.live.subscribe(`user:${actor.userId}`, (event) => signsOut(event, input.session.tokenHash) && stop()));
      unsubscribers.push(watchSessionExpiry(services.clock, input.session, () => stop()));
      input.signal?.addEventListener('abort', () => stop());
      const unacknowledged = await unacknowledgedCount(services, actor);
      // The session may have ended while the count was read.
      if (!open) return;
      controller.enqueue(frame('ready', { unacknowledged }));
      timers.push(setInterval(() => open && controller.enqueue(encoder.encode(': keepalive\n\n')), KEEPALIVE_MS));
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
