/**
 * @module A device's live stream, the same on every runtime: on open it replays the device's queue, then pushes
 * new envelopes and receipts as they are published; the device acknowledges with `{"type":"ack","seqs":[…]}`
 * frames. The runtime owns the socket (a node-ws connection, or a hibernatable WebSocket in a Durable Object) and
 * the subscription (the process's hub, or the Durable Object's own); this module owns what flows over it.
 */
import type { Actor } from '../directory/actor';
import type { Platform } from '../platform';
import type { DeliveryHub, HubEvent, LivePublisher } from './deliveryHub';
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

/** Close code for a stream whose session ended (logout, expiry, a removed passkey, disable, role change). */
export const SESSION_ENDED_CLOSE = 4401;
/** Close code for the stream of a device its owner revoked. */
export const DEVICE_REVOKED_CLOSE = 4403;
/** RFC 6455 §7.4.1 "Message Too Big": the device sent a frame over `EXIGENT_MAX_FRAME_KB`. */
export const FRAME_TOO_BIG_CLOSE = 1009;
export const frameTooBigReason = (maxFrameBytes: number) => `frame exceeds the limit of ${maxFrameBytes} bytes`;
const REPLAY_PAGE = 500;

type StreamServices = Pick<Platform, 'database' | 'clock'> & { hub: LivePublisher };

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
    socket.send(JSON.stringify({ type: 'ready' }));
  }

  return {
    receive(text) {
      const seqs = parseAcknowledgement(text);
      if (!seqs) {
        socket.send(JSON.stringify({ type: 'error', detail: 'expected {"type":"ack","seqs":[positive integers]}' }));
        return;
      }
      acknowledgeThisTurn(deviceId, seqs, (error) => socket.send(JSON.stringify({ type: 'error', detail: error.message })));
    },
    end() {
      ended = true;
      unsubscribeDevice();
      unsubscribeUser();
    },
  };
}

function parseAcknowledgement(text: string): number[] | undefined {
  try {
    const parsed = JSON.parse(text) as { type?: string; seqs?: unknown };
    if (parsed.type === 'ack' && Array.isArray(parsed.seqs) && parsed.seqs.length > 0 && parsed.seqs.every((s) => Number.isSafeInteger(s) && s > 0)) {
      return (parsed.seqs as number[]).slice(0, REPLAY_PAGE);
    }
  } catch {
    // not JSON: answered as a malformed frame
  }
  return undefined;
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
