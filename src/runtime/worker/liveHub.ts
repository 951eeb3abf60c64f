/**
 * @module Live connections on Workers. One LiveHub object per channel that has streams — a device (its WebSockets)
 * or an NCB (its officers' event streams) — holds them, with the WebSocket hibernation API so idle sockets cost
 * nothing; publishes to that channel reach it by name. An account's channel (`user:<id>`: receipts, ended sessions)
 * spans several such objects, so the account's own object keeps the register of its streams (accountStreams.ts):
 * where they are, to forward to them, and how many each session has, for its cap. Inside an object the streams are
 * the same domain code as on Node, fed by a local hub.
 */
import { DurableObject } from 'cloudflare:workers';
import { sessionEndsAt } from '../../auth/sessions';
import type { Actor } from '../../directory/actor';
import type { TooManyRequests } from '../../errors';
import { streamSender } from '../../http/streamSend';
import { openInboxStream } from '../../ncb/inboxStream';
import type { HubEvent } from '../../relay/deliveryHub';
import { FRAME_TOO_BIG_CLOSE, frameTooBigReason, openDeviceStream, SESSION_ENDED_CLOSE, type DeviceStream, type StreamSender } from '../../relay/deviceStream';
import { tooManyDeviceStreams, tooManySessionStreams } from '../../relay/streamLimits';
import { nextSessionCheck } from '../../relay/streamSession';
import { forgetHost, leaseStream, releaseStream, streamHosts } from './accountStreams';
import { countingHub } from './countingHub';
import type { Env } from './env';
import { durableRateLimiters } from './rateLimitCounter';
import { openWorkerServices, servicesCache, type WorkerServices } from './workerServices';

/** What the Worker tells the object about a stream it authorised (set by our code only; DOs are not public). */
export type Handover =
  | { kind: 'device'; host: string; actor: Actor; deviceId: string; sessionTokenHash: string }
  | { kind: 'inbox'; host: string; actor: Actor; sessionTokenHash: string };

/** What a device socket carries through hibernation. */
type DeviceSocket = Handover & { kind: 'device'; streamId: string };

export const HANDOVER_HEADER = 'x-exigent-handover';

/** A stream refused for a cap, as the object answers it; the Worker throws it as the TooManyRequests it was. */
const refusal = (error: TooManyRequests) => Response.json({ detail: error.message, retryAfterSeconds: error.retryAfterSeconds }, { status: 429 });

export class LiveHub extends DurableObject<Env> {
  private readonly services = servicesCache(() => openWorkerServices(this.env));
  /** Subscriptions of the streams held here, counted so an account's object can forget hosts nobody listens on. */
  private readonly local = countingHub();
  private readonly streams = new Map<WebSocket, DeviceStream>();
  /** Sends over this object's device streams, with the Worker's services and its shared send budget. */
  private sender: StreamSender | undefined;
  /** The NCB inbox streams held here, by stream id (they keep the object awake, so memory holds them). */
  private readonly inboxes = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Woken from hibernation: re-attach the sockets that stayed open (their replay finished before we slept).
    ctx.blockConcurrencyWhile(async () => {
      const services = await this.services().catch(() => undefined);
      if (!services) return;
      for (const socket of ctx.getWebSockets()) this.attach(services, socket, socket.deserializeAttachment() as DeviceSocket, false);
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const handover = JSON.parse(request.headers.get(HANDOVER_HEADER) ?? 'null') as Handover | null;
    if (!handover) return new Response('no handover', { status: 400 });
    const services = await this.services();
    const { config } = services;
    const { actor, host, sessionTokenHash } = handover;
    const streamId = crypto.randomUUID();
    if (handover.kind === 'device' && this.ctx.getWebSockets().length >= config.streamsPerDevice) return refusal(tooManyDeviceStreams(config.streamsPerDevice));
    const leased = await this.account(actor.userId).lease({ streamId, session: sessionTokenHash, host, limit: config.streamsPerSession });
    if (!leased) return refusal(tooManySessionStreams(config.streamsPerSession));
    const release = () => void this.account(actor.userId).release(streamId).catch(() => undefined);
    if (handover.kind === 'inbox') {
      this.inboxes.add(streamId);
      return openInboxStream(services, {
        actor,
        live: this.local,
        session: { tokenHash: sessionTokenHash, endsAt: () => sessionEndsAt(services, sessionTokenHash) },
        signal: request.signal,
        onEnd: () => {
          this.inboxes.delete(streamId);
          release();
        },
      });
    }
    // Counted again: other handshakes for this device may have opened while the account's object answered.
    if (this.ctx.getWebSockets().length >= config.streamsPerDevice) {
      release();
      return refusal(tooManyDeviceStreams(config.streamsPerDevice));
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ ...handover, streamId } satisfies DeviceSocket);
    this.attach(services, server, { ...handover, streamId }, true);
    // Read once the stream listens for sign-outs: one announced before then ended the session before this read.
    const endsAt = await sessionEndsAt(services, sessionTokenHash).catch(() => undefined);
    const now = services.clock.now();
    // A session that ended meanwhile is checked (and its stream closed) at once.
    await this.alarmNoLaterThan(nextSessionCheck(endsAt ?? now, now));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Delivers an event to this object's streams on `channel`; false when none listens. */
  async publish(channel: string, event: HubEvent): Promise<boolean> {
    return this.local.publishCounted(channel, event) > 0;
  }

  /** (On an account's object.) Forwards to every host with a stream of the account, forgetting those with none. */
  async publishToAccount(channel: string, event: HubEvent): Promise<boolean> {
    const hosts = await streamHosts(this.ctx.storage);
    const reached = await Promise.all(hosts.map((host) => this.host(host).publish(channel, event).catch(() => true)));
    for (const [i, host] of hosts.entries()) if (!reached[i]) await forgetHost(this.ctx.storage, host, Date.now());
    return reached.some(Boolean);
  }

  /** (On an account's object.) Leases a place for a stream of a session, within the session's cap. */
  async lease(input: { streamId: string; session: string; host: string; limit: number }): Promise<boolean> {
    const hosts = { held: (host: string, ids: string[]) => this.host(host).heldStreams(ids) };
    return leaseStream(this.ctx.storage, hosts, { ...input, now: Date.now() });
  }

  /** (On an account's object.) A stream closed: its place is free. */
  async release(streamId: string): Promise<void> {
    await releaseStream(this.ctx.storage, streamId);
  }

  /** Which of `streamIds` are open here (asked by an account's object looking for streams lost in a reset). */
  async heldStreams(streamIds: string[]): Promise<string[]> {
    const here = new Set([...this.inboxes, ...this.ctx.getWebSockets().map((s) => (s.deserializeAttachment() as DeviceSocket).streamId)]);
    return streamIds.filter((id) => here.has(id));
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const { maxFrameBytes } = (await this.services()).config;
    // A string has at least as many UTF-8 bytes as UTF-16 units, so only a short one needs encoding to be measured.
    const tooBig = typeof message === 'string' ? message.length > maxFrameBytes || new TextEncoder().encode(message).byteLength > maxFrameBytes : message.byteLength > maxFrameBytes;
    if (tooBig) return this.end(socket, FRAME_TOO_BIG_CLOSE, frameTooBigReason(maxFrameBytes));
    this.streams.get(socket)?.receive(typeof message === 'string' ? message : new TextDecoder().decode(message));
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.end(socket, code, reason);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.detach(socket);
  }

  /**
   * Ends the device streams whose session ended (expiry, or an end no event announced), as Node's timers do, and
   * re-arms for the earliest moment one of the others may end: its session's expiry, or the next re-check.
   */
  override async alarm(): Promise<void> {
    const services = await this.services();
    const now = services.clock.now();
    let next = Infinity;
    await Promise.all(
      this.ctx.getWebSockets().map(async (socket) => {
        const { sessionTokenHash } = socket.deserializeAttachment() as DeviceSocket;
        const endsAt = await sessionEndsAt(services, sessionTokenHash).catch(() => null);
        if (endsAt === undefined) this.end(socket, SESSION_ENDED_CLOSE, 'session ended');
        else if (endsAt === null) this.end(socket, 1011, 'session check failed');
        else next = Math.min(next, nextSessionCheck(endsAt, now));
      }),
    );
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
  }

  private async alarmNoLaterThan(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  private attach(services: WorkerServices, socket: WebSocket, device: DeviceSocket, replay: boolean): void {
    const { actor, deviceId, sessionTokenHash } = device;
    this.sender ??= streamSender(services, { rateLimiters: durableRateLimiters(this.env.LIMITS) });
    this.streams.set(socket, openDeviceStream(services, { actor, deviceId, sessionTokenHash, socket, live: this.local, replay, sender: this.sender }));
  }

  /** Closes the socket (if it still is open) and forgets its stream. */
  private end(socket: WebSocket, code: number, reason: string): void {
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
    this.detach(socket);
  }

  /** Stops the socket's stream and frees its place in the account's register, once. */
  private detach(socket: WebSocket): void {
    const stream = this.streams.get(socket);
    if (!stream) return;
    stream.end();
    this.streams.delete(socket);
    const { actor, streamId } = socket.deserializeAttachment() as DeviceSocket;
    void this.account(actor.userId).release(streamId).catch(() => undefined);
  }

  private host(name: string) {
    return this.env.LIVE.get(this.env.LIVE.idFromName(name));
  }

  private account(userId: string) {
    return this.host(`user:${userId}`);
  }
}
