/**
 * @module The delivery benchmark's load generator: per pair, the sender sends pre-sealed envelopes (HTTP POST on a
 * keep-alive agent, or `send` frames on its own device stream) and its stream takes the receipts; the receiver's
 * stream takes the envelopes and acknowledges them, one `ack` frame per socket per event-loop turn. Everything is
 * kept in typed arrays indexed by message, so the hot path allocates little and parses only what arrives.
 */
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import type { EnvelopeV1 } from '../../clients/sdk/crypto';
import type { DeliveryPair } from './deliveryPairs';
import type { Transport } from './sealPool';

const ACCEPTED = 1;
const DUPLICATE = 2;
const REFUSED = 3;

export interface LoadOptions {
  url: string;
  transport: Transport;
  pairs: DeliveryPair[];
  /** Per pair, in message order: the ids and the wire texts from sealPool. */
  pool: Array<{ messageIds: string[]; wire: string[] }>;
  window: number;
  /** Keep message n of every pair where n % sampleEvery = 0, as it arrived, for the decryption check. */
  sampleEvery: number;
}

export class DeliveryLoad {
  /** Message index = offset[pair] + n. */
  readonly offset: number[] = [];
  readonly total: number;
  /** When the message was sent (closed loop) or scheduled (open loop), performance.now(); 0 = not sent. */
  readonly sentAt: Float64Array;
  /** 0 unanswered, then ACCEPTED, DUPLICATE or REFUSED. */
  readonly answer: Uint8Array;
  /** First arrival at the receiver, performance.now(). */
  readonly deliveredAt: Float64Array;
  readonly deliveries: Uint16Array;
  readonly receipts: Uint16Array;
  readonly byMessageId = new Map<string, number>();
  readonly samples = new Map<number, EnvelopeV1>();
  /** Deliveries and receipts for the wrong device, or of no message we sent. */
  misrouted = 0;
  unknown = 0;
  refusals: string[] = [];
  /** Streams that failed or closed before the end. */
  problems: string[] = [];
  private closing = false;
  /** Set by the first ws `error` frame: the server does not take send frames (or refused one). */
  failure: Error | undefined;
  /** performance.now() when the first sender ran out of pre-sealed envelopes. */
  exhaustedAt = Infinity;
  sent = 0;
  private readonly next: number[];
  private readonly inFlight: number[];
  private readonly senders: WebSocket[] = [];
  private readonly receivers: WebSocket[] = [];
  private readonly agents: Agent[] = [];
  private readonly headers: Array<Record<string, string>> = [];
  private readonly port: number;
  private onFailure: (error: Error) => void = () => {};

  constructor(private readonly o: LoadOptions) {
    let total = 0;
    for (const slice of o.pool) {
      this.offset.push(total);
      total += slice.messageIds.length;
    }
    this.total = total;
    this.sentAt = new Float64Array(total);
    this.answer = new Uint8Array(total);
    this.deliveredAt = new Float64Array(total);
    this.deliveries = new Uint16Array(total);
    this.receipts = new Uint16Array(total);
    o.pool.forEach((slice, p) => slice.messageIds.forEach((id, n) => this.byMessageId.set(id, this.offset[p]! + n)));
    this.next = o.pairs.map(() => 0);
    this.inFlight = o.pairs.map(() => 0);
    this.port = Number(new URL(o.url).port);
    // Observed by whoever races it; never an unhandled rejection.
    this.failed.catch(() => {});
  }

  /** Resolves when the server refuses a send frame: the run is then abandoned. */
  readonly failed = new Promise<never>((_, reject) => (this.onFailure = reject));

  pairOf(index: number): number {
    let p = this.offset.length - 1;
    while (this.offset[p]! > index) p--;
    return p;
  }

  /** Opens every sender's and receiver's device stream and waits for each one's `ready` (its backlog replayed). */
  async open(): Promise<void> {
    const ws = this.o.url.replace(/^http/, 'ws');
    const opened = this.o.pairs.flatMap((pair, p) => {
      const sender = new WebSocket(`${ws}/api/v1/devices/${pair.sender.deviceId}/stream`, { headers: pair.sender.client.socketHeaders(), perMessageDeflate: false });
      const receiver = new WebSocket(`${ws}/api/v1/devices/${pair.receiver.deviceId}/stream`, { headers: pair.receiver.client.socketHeaders(), perMessageDeflate: false });
      this.senders.push(sender);
      this.receivers.push(receiver);
      this.agents.push(new Agent({ keepAlive: true, maxSockets: this.o.window }));
      this.headers.push({ 'content-type': 'application/json', ...pair.sender.client.socketHeaders() });
      const ready = [this.listenAsSender(sender, p), this.listenAsReceiver(receiver, p)];
      return ready;
    });
    await Promise.race([Promise.all(opened), this.failed]);
  }

  private untilReady(socket: WebSocket, what: string): { ready: Promise<void>; markReady(): void } {
    let markReady!: () => void;
    socket.on('error', (error) => this.problems.push(`${what}: ${error.message}`));
    socket.on('close', (code, reason) => this.closing || this.problems.push(`${what} closed during the run (${code} ${reason.toString()})`));
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      socket.once('error', (error) => reject(new Error(`${what}: ${error.message}`)));
      socket.once('close', (code, reason) => reject(new Error(`${what} closed (${code} ${reason.toString()})`)));
    });
    return { ready, markReady };
  }

  private listenAsSender(socket: WebSocket, p: number): Promise<void> {
    const { ready, markReady } = this.untilReady(socket, `sender ${p}'s stream`);
    const receiverDevice = this.o.pairs[p]!.receiver.deviceId;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: string; messageId?: string; deviceId?: string; duplicate?: boolean; detail?: string; problem?: { detail?: string; title?: string } };
      if (frame.type === 'receipt') {
        const index = this.byMessageId.get(frame.messageId!);
        if (index === undefined) this.unknown++;
        else if (frame.deviceId !== receiverDevice || this.pairOf(index) !== p) this.misrouted++;
        else this.receipts[index]!++;
      } else if (frame.type === 'sent') {
        const n = Number(frame.id!.slice(frame.id!.indexOf('-') + 1));
        this.answered(p, this.offset[p]! + n, frame.duplicate ? DUPLICATE : ACCEPTED);
      } else if (frame.type === 'error') {
        const detail = frame.problem ? `${frame.problem.title ?? ''}: ${frame.problem.detail ?? JSON.stringify(frame.problem)}` : (frame.detail ?? String(data));
        this.failure ??= new Error(`the server refused send frames: ${detail}${frame.id ? ` (request ${frame.id})` : ''}`);
        this.onFailure(this.failure);
      } else if (frame.type === 'ready') markReady();
    });
    return ready;
  }

  private listenAsReceiver(socket: WebSocket, p: number): Promise<void> {
    const { ready, markReady } = this.untilReady(socket, `receiver ${p}'s stream`);
    let acks: number[] = [];
    const flush = () => {
      socket.send(`{"type":"ack","seqs":[${acks.join(',')}]}`);
      acks = [];
    };
    socket.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as { type: string; seq: number; messageId: string; envelope: EnvelopeV1 };
      if (frame.type === 'envelope') {
        const index = this.byMessageId.get(frame.messageId);
        if (index === undefined) this.unknown++;
        else if (this.pairOf(index) !== p) this.misrouted++;
        else {
          if (this.deliveries[index]!++ === 0) this.deliveredAt[index] = at;
          if ((index - this.offset[p]!) % this.o.sampleEvery === 0) this.samples.set(index, frame.envelope);
        }
        // Acknowledged as the SDK does once an envelope is handled; the frames of one turn share one ack.
        if (acks.push(frame.seq) === 1) setImmediate(flush);
      } else if (frame.type === 'ready') markReady();
    });
    return ready;
  }

  /** Sends pair `p`'s next envelope, stamped `at` (now, or its scheduled time in open loop); false when none is left. */
  send(p: number, at = performance.now()): boolean {
    const n = this.next[p]!;
    const wire = this.o.pool[p]!.wire[n];
    if (wire === undefined) {
      this.exhaustedAt = Math.min(this.exhaustedAt, performance.now());
      return false;
    }
    this.next[p] = n + 1;
    const index = this.offset[p]! + n;
    this.sentAt[index] = at;
    this.inFlight[p]!++;
    this.sent++;
    if (this.o.transport === 'ws') {
      this.senders[p]!.send(wire);
      return true;
    }
    const pair = this.o.pairs[p]!;
    const req = request(
      { host: '127.0.0.1', port: this.port, method: 'POST', path: `/api/v1/conversations/${pair.conversationId}/messages`, agent: this.agents[p], headers: { ...this.headers[p], 'content-length': String(wire.length) } },
      (res) => {
        if (res.statusCode === 201 || res.statusCode === 200) {
          res.resume();
          res.once('end', () => this.answered(p, index, res.statusCode === 201 ? ACCEPTED : DUPLICATE));
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', () => this.refused(p, index, `${res.statusCode} ${text}`));
      },
    );
    req.once('error', (error) => this.refused(p, index, error.message));
    req.end(wire);
    return true;
  }

  /** Closed loop: each answer frees its slot in the window, and the pair's next send takes it while `running()`. */
  closedLoop(running: () => boolean): void {
    this.onAnswer = (p) => {
      if (running()) this.send(p);
    };
    for (let p = 0; p < this.o.pairs.length; p++) for (let w = 0; w < this.o.window; w++) this.send(p);
  }

  private onAnswer: (p: number) => void = () => {};

  private answered(p: number, index: number, answer: number): void {
    this.answer[index] = answer;
    this.inFlight[p]!--;
    this.onAnswer(p);
  }

  private refused(p: number, index: number, why: string): void {
    if (this.refusals.length < 5) this.refusals.push(why);
    this.answered(p, index, REFUSED);
  }

  outstanding(): number {
    return this.inFlight.reduce((a, b) => a + b, 0);
  }

  /** Accepted messages not yet delivered, or delivered but not yet receipted. */
  undelivered(): number {
    let missing = 0;
    for (let i = 0; i < this.total; i++) if (this.answer[i] === ACCEPTED && (this.deliveries[i] === 0 || this.receipts[i] === 0)) missing++;
    return missing;
  }

  tally() {
    const t = { accepted: 0, duplicateAnswers: 0, refused: 0, delivered: 0, lost: 0, duplicated: 0, receiptsMismatched: 0, receipts: 0 };
    for (let i = 0; i < this.total; i++) {
      const a = this.answer[i];
      if (a === ACCEPTED) t.accepted++;
      if (a === DUPLICATE) t.duplicateAnswers++;
      if (a === REFUSED) t.refused++;
      if (this.deliveries[i]! > 0) t.delivered++;
      if (a === ACCEPTED && this.deliveries[i] === 0) t.lost++;
      if (this.deliveries[i]! > 1) t.duplicated++;
      if (this.receipts[i] !== Math.min(1, this.deliveries[i]!)) t.receiptsMismatched++;
      t.receipts += this.receipts[i]!;
    }
    return t;
  }

  close(): void {
    this.closing = true;
    for (const socket of [...this.senders, ...this.receivers]) socket.terminate();
    for (const agent of this.agents) agent.destroy();
  }
}
