/**
 * @module A device's live stream, the same on every runtime: on open it replays the device's queue, then pushes
 * new envelopes and receipts as they are published; the device acknowledges with `{"type":"ack","seqs":[…]}`
 * frames and may send envelopes with `{"type":"send","id":…}` frames, each answered by its id once committed
 * (docs/protocol.md, "Sending over the stream"). The runtime owns the socket (a node-ws connection, or a hibernatable WebSocket in a Durable Object) and
 * the subscription (the process's hub, or the Durable Object's own); this module owns what flows over it.
 */
import type { Actor } from '../directory/actor';
import type { Platform } from '../platform';
import type { DeliveryHub, HubEvent, LivePublisher } from './deliveryHub';
import type { PostedEnvelope } from './postEnvelope';
import { acknowledgeOnDevices, fetchQueue } from './deliveryQueue';
import { hubEventJson } from './eventJson';
import { signsOut } from './streamSession';

/** The part of a WebSocket the stream writes to. */
export interface StreamSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface DeviceStream {
  /** A text frame from the device. */
  receive(text: string): void;
  /** The socket closed: stop listening. */
  end(): void;
}

/** RFC 9457 problem details, as the HTTP API answers them; a refused frame carries one. */
export interface StreamProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

/** What a `send` frame is answered with, before its id is added. */
export type SendAnswer = ({ type: 'sent' } & PostedEnvelope) | { type: 'error'; problem: StreamProblem };

/**
 * Sends an envelope as the stream's device, with the HTTP route's validation, rate limit and errors; supplied by the
 * runtime (src/http/streamSend.ts builds it), since the problem mapping and the limits live with the HTTP API.
 */
export interface StreamSender {
  /** Resolves once the envelope is committed, or refused; never rejects. */
  send(input: { actor: Actor; deviceId: string; conversationId: unknown; envelope: unknown }): Promise<SendAnswer>;
  /** The 400 problem for a frame that is no request the stream understands. */
  malformed(detail: string): StreamProblem;
}

/** Close code for a stream whose session ended (logout, expiry, a removed passkey, disable, role change). */
export const SESSION_ENDED_CLOSE = 4401;
/** Close code for the stream of a device its owner revoked. */
export const DEVICE_REVOKED_CLOSE = 4403;
/** RFC 6455 §7.4.1 "Message Too Big": the device sent a frame over `EXIGENT_MAX_FRAME_KB`. */
export const FRAME_TOO_BIG_CLOSE = 1009;
export const frameTooBigReason = (maxFrameBytes: number) => `frame exceeds the limit of ${maxFrameBytes} bytes`;
const REPLAY_PAGE = 500;
/** A client's request id: echoed in the answer, so it need only be unique among the client's sends in flight. */
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EXPECTED_FRAME = 'expected {"type":"ack","seqs":[positive integers]} or {"type":"send","id":…,"conversationId":…,"envelope":{…}}';

type StreamServices = Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { hub: LivePublisher };

/** The answer to an `ack` frame whose commit failed: nothing was deleted, so the copies are handed out again. */
const ACKNOWLEDGEMENT_NOT_STORED: StreamProblem = {
  type: 'about:blank',
  title: 'Internal error',
  status: 500,
  detail: 'The acknowledgement could not be stored; the envelopes stay queued and are delivered again on the next stream',
};

/**
 * Opens the stream of `deviceId` (already checked to be the actor's own). `replay: false` re-attaches a stream
 * whose replay finished earlier (a Durable Object waking from hibernation with its sockets still open).
 */
export function openDeviceStream(
  services: StreamServices,
  input: {
    actor: Actor;
    deviceId: string;
    /** The session's token hash, by which sign-outs name the streams to end. */
    sessionTokenHash: string;
    socket: StreamSocket;
    live: Pick<DeliveryHub, 'subscribe'>;
    replay: boolean;
    /** Takes `send` frames; without it they are refused as malformed. */
    sender?: StreamSender;
  },
): DeviceStream {
  const { actor, deviceId, socket } = input;
  let ended = false;
  let live = !input.replay;
  const pending: HubEvent[] = [];
  const send = (event: HubEvent) => socket.send(hubEventJson(event));
  const deliver = (event: HubEvent) => (live ? send(event) : pending.push(event));
  // Subscribe before reading the backlog so nothing committed in between is missed; duplicates by seq are skipped.
  const unsubscribeDevice = input.live.subscribe(deviceId, (event) => {
    if (event.type === 'device_revoked') socket.close(DEVICE_REVOKED_CLOSE, 'device revoked');
    else if (event.type === 'envelope') deliver(event);
  });
  // The account's channel carries delivery receipts for all its devices, and the sessions that ended.
  const unsubscribeUser = input.live.subscribe(`user:${actor.userId}`, (event) => {
    if (signsOut(event, input.sessionTokenHash)) socket.close(SESSION_ENDED_CLOSE, 'signed out');
    else if (event.type === 'receipt') deliver(event);
  });
  const acknowledgeThisTurn = acknowledgementsPerTurn(services);

  if (input.replay) {
    void replayBacklog().catch(() => socket.close(1011, 'could not read the queue'));
  }

  async function replayBacklog(): Promise<void> {
    let lastSeq = 0;
    for (;;) {
      const batch = await fetchQueue(services, { actor, deviceId, after: lastSeq, limit: REPLAY_PAGE });
      for (const queued of batch) {
        send({ type: 'envelope', ...queued });
        lastSeq = queued.seq;
      }
      if (batch.length < REPLAY_PAGE) break;
    }
    // The socket may have gone while the backlog was read.
    if (ended) return;
    for (const event of pending) if (event.type !== 'envelope' || event.seq > lastSeq) send(event);
    pending.length = 0;
    live = true;
    // The frame limit tells the device which envelopes fit in a `send` frame; larger ones go over HTTP.
    socket.send(JSON.stringify({ type: 'ready', maxFrameBytes: services.config.maxFrameBytes }));
  }

  /** Writes a frame unless the socket has gone (an answer to a send can arrive after the device left). */
  const answer = (frame: object) => {
    if (ended) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      // closed meanwhile: the device retries by message id, which is idempotent
    }
  };

  return {
    receive(text) {
      const frame = parseFrame(text);
      if (frame.type === 'ack') {
        acknowledgeThisTurn(deviceId, frame.seqs, (error) => {
          // The database's own words stay in the server's log: they name tables and constraints, nothing a device can act on.
          services.logger.error({ err: error, deviceId }, 'acknowledgement not stored');
          answer({ type: 'error', problem: ACKNOWLEDGEMENT_NOT_STORED });
        });
        return;
      }
      const { sender } = input;
      if (!sender) return answer({ type: 'error', detail: EXPECTED_FRAME });
      if (frame.type !== 'send') return answer({ type: 'error', ...(frame.id ? { id: frame.id } : {}), problem: sender.malformed(EXPECTED_FRAME) });
      // Many sends may be in flight: each is answered by its id, in the order they commit.
      const { id, conversationId, envelope } = frame;
      void sender.send({ actor, deviceId, conversationId, envelope }).then((reply) => answer({ ...reply, id }));
    },
    end() {
      ended = true;
      unsubscribeDevice();
      unsubscribeUser();
    },
  };
}

type Frame =
  | { type: 'ack'; seqs: number[] }
  | { type: 'send'; id: string; conversationId: unknown; envelope: unknown }
  | { type: 'malformed'; id?: string };

/** Reads a frame from the device; anything not an acknowledgement or a send with a usable id is malformed. */
function parseFrame(text: string): Frame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { type: 'malformed' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { type: 'malformed' };
  const frame = parsed as { type?: unknown; seqs?: unknown; id?: unknown; conversationId?: unknown; envelope?: unknown };
  const id = typeof frame.id === 'string' && REQUEST_ID.test(frame.id) ? frame.id : undefined;
  if (frame.type === 'ack' && Array.isArray(frame.seqs) && frame.seqs.length > 0 && frame.seqs.every((s) => Number.isSafeInteger(s) && s > 0)) {
    return { type: 'ack', seqs: (frame.seqs as number[]).slice(0, REPLAY_PAGE) };
  }
  if (frame.type === 'send' && id) return { type: 'send', id, conversationId: frame.conversationId, envelope: frame.envelope };
  return { type: 'malformed', ...(id ? { id } : {}) };
}

type AcknowledgeThisTurn = (deviceId: string, seqs: number[], onError: (error: Error) => void) => void;
const batchers = new WeakMap<StreamServices['database'], AcknowledgeThisTurn>();

/**
 * Collects the acknowledgements all device streams of this process (or Durable Object) receive during one turn
 * and commits them together: one read and one write per turn, however many devices acknowledged.
 */
function acknowledgementsPerTurn(services: StreamServices): AcknowledgeThisTurn {
  let batcher = batchers.get(services.database);
  if (batcher) return batcher;
  let waiting: Array<{ deviceId: string; seqs: number[]; onError: (error: Error) => void }> = [];
  batcher = (deviceId, seqs, onError) => {
    if (waiting.push({ deviceId, seqs, onError }) > 1) return;
    // A zero-delay timer runs after the frames already received this turn (a microtask would run after each one).
    setTimeout(() => {
      const turn = waiting;
      waiting = [];
      acknowledgeOnDevices(services, turn).catch((error: Error) => turn.forEach((a) => a.onError(error)));
    }, 0);
  };
  batchers.set(services.database, batcher);
  return batcher;
}
