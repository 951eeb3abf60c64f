/**
 * @module Live connections on Workers. One LiveHub object per channel that has streams — a device (its WebSocket)
 * or an NCB (its officers' event streams) — holds them, with the WebSocket hibernation API so idle sockets cost
 * nothing; publishes to that channel reach it by name. An account's channel (`user:<id>`: receipts, sign-out)
 * spans several such objects, so the account's own object keeps the list of hosts where it has streams and
 * forwards to them. Inside an object the streams are the same domain code as on Node, fed by a local hub.
 */
import { DurableObject } from 'cloudflare:workers';
import { resolveSessionByHash } from '../../auth/sessions';
import { openInboxStream, SESSION_RECHECK_MS } from '../../ncb/inboxStream';
import { createLocalDeliveryHub, type DeliveryHub, type HubEvent } from '../../relay/deliveryHub';
import { openDeviceStream, SESSION_ENDED_CLOSE, type DeviceStream } from '../../relay/deviceStream';
import type { Actor } from '../../directory/actor';
import type { Env } from './env';
import { openWorkerServices, servicesCache, type WorkerServices } from './workerServices';

/** What the Worker tells the object about a stream it authorised (set by our code only; DOs are not public). */
export type Handover =
  | { kind: 'device'; host: string; actor: Actor; deviceId: string; sessionTokenHash: string }
  | { kind: 'inbox'; host: string; actor: Actor; sessionTokenHash: string };

export const HANDOVER_HEADER = 'x-exigent-handover';
const HOSTS_KEY = 'hosts';

export class LiveHub extends DurableObject<Env> {
  private readonly services = servicesCache(() => openWorkerServices(this.env));
  /** Subscriptions of the streams held here, counted so an account's object can forget hosts nobody listens on. */
  private readonly local = countingHub();
  private readonly streams = new Map<WebSocket, DeviceStream>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Woken from hibernation: re-attach the sockets that stayed open (their replay finished before we slept).
    ctx.blockConcurrencyWhile(async () => {
      const services = await this.services().catch(() => undefined);
      if (!services) return;
      for (const socket of ctx.getWebSockets()) this.attach(services, socket, socket.deserializeAttachment() as Handover & { kind: 'device' }, false);
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const handover = JSON.parse(request.headers.get(HANDOVER_HEADER) ?? 'null') as Handover | null;
    if (!handover) return new Response('no handover', { status: 400 });
    const services = await this.services();
    await this.account(handover.actor.userId).register(handover.host);
    if (handover.kind === 'inbox') {
      return openInboxStream(services, {
        actor: handover.actor,
        live: this.local,
        sessionIsLive: async () => (await resolveSessionByHash(services, handover.sessionTokenHash)) !== undefined,
        signal: request.signal,
      });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(handover);
    this.attach(services, server, handover, true);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SESSION_RECHECK_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Delivers an event to this object's streams on `channel`; false when none listens. */
  async publish(channel: string, event: HubEvent): Promise<boolean> {
    return this.local.publishCounted(channel, event) > 0;
  }

  /** (On an account's object.) Forwards to every host with a stream of the account, forgetting idle ones. */
  async publishToAccount(channel: string, event: HubEvent): Promise<boolean> {
    const hosts = (await this.ctx.storage.get<string[]>(HOSTS_KEY)) ?? [];
    const reached = await Promise.all(hosts.map((host) => this.host(host).publish(channel, event).catch(() => true)));
    const idle = hosts.filter((_, i) => !reached[i]);
    if (idle.length > 0) await this.ctx.storage.put(HOSTS_KEY, hosts.filter((h) => !idle.includes(h)));
    return reached.some(Boolean);
  }

  /** (On an account's object.) Remembers a host that now holds one of the account's streams. */
  async register(host: string): Promise<void> {
    const hosts = (await this.ctx.storage.get<string[]>(HOSTS_KEY)) ?? [];
    if (!hosts.includes(host)) await this.ctx.storage.put(HOSTS_KEY, [...hosts, host]);
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.streams.get(socket)?.receive(typeof message === 'string' ? message : new TextDecoder().decode(message));
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.detach(socket);
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.detach(socket);
  }

  /** Ends the streams whose session ended (logout, expiry), as Node's timer does; re-arms while sockets remain. */
  override async alarm(): Promise<void> {
    const services = await this.services();
    const sockets = this.ctx.getWebSockets();
    await Promise.all(
      sockets.map(async (socket) => {
        const { sessionTokenHash } = socket.deserializeAttachment() as Handover;
        const live = await resolveSessionByHash(services, sessionTokenHash).then(Boolean, () => true);
        if (!live) {
          socket.close(SESSION_ENDED_CLOSE, 'session ended');
          this.detach(socket);
        }
      }),
    );
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(Date.now() + SESSION_RECHECK_MS);
  }

  private attach(services: WorkerServices, socket: WebSocket, handover: Handover & { kind: 'device' }, replay: boolean): void {
    const stream = openDeviceStream(services, { actor: handover.actor, deviceId: handover.deviceId, socket, live: this.local, replay });
    this.streams.set(socket, stream);
  }

  private detach(socket: WebSocket): void {
    this.streams.get(socket)?.end();
    this.streams.delete(socket);
  }

  private host(name: string) {
    return this.env.LIVE.get(this.env.LIVE.idFromName(name));
  }

  private account(userId: string) {
    return this.host(`user:${userId}`);
  }
}

/** The in-memory hub, also telling how many listeners an event reached. */
function countingHub(): DeliveryHub & { publishCounted(channel: string, event: HubEvent): number } {
  const hub = createLocalDeliveryHub();
  const counts = new Map<string, number>();
  return {
    publish: (channel, event) => hub.publish(channel, event),
    publishCounted(channel, event) {
      hub.publish(channel, event);
      return counts.get(channel) ?? 0;
    },
    subscribe(channel, listener) {
      counts.set(channel, (counts.get(channel) ?? 0) + 1);
      const unsubscribe = hub.subscribe(channel, listener);
      return () => {
        counts.set(channel, (counts.get(channel) ?? 1) - 1);
        if (counts.get(channel) === 0) counts.delete(channel);
        unsubscribe();
      };
    },
  };
}
