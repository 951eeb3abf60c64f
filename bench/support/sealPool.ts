/**
 * @module The delivery benchmark's pre-sealed envelopes: N distinct 1 KiB messages per pair, sealed with the SDK
 * (fresh message id, content key and signature each) by worker threads before the measured phase, so the load
 * generator spends the run sending, not encrypting. Each comes back as the exact wire text its transport sends.
 * This file is also the workers' entry point.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { b64, encodeContent, sealEnvelope, sodiumReady, type DeviceKeyPair } from '../../clients/sdk/crypto';

export type Transport = 'http' | 'ws';

export interface SealJob {
  conversationId: string;
  sender: { deviceId: string; keys: DeviceKeyPair };
  recipient: { deviceId: string; agreementPublic: Uint8Array };
  /** Which pair: its index in `jobs`, also in the plaintext and the ws request ids. */
  pair: number;
  /** Message numbers [from, to) of this pair. */
  from: number;
  to: number;
}

export interface SealedSlice {
  pair: number;
  from: number;
  messageIds: string[];
  /** The HTTP body (the envelope) or the whole ws `send` frame. */
  wire: string[];
}

const PLAINTEXT_BYTES = 1024;
// Node 20 workers do not inherit tsx's loader (`execArgv: ['--import', 'tsx']` is not enough): register it, then load this file.
const WORKER_BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
const TEXT_OVERHEAD = encodeContent({ type: 'text', text: '' }).byteLength;

/** The text of message `n` of `pair`: unique, ASCII, so the encoded content is exactly 1 KiB. */
export function messageText(pair: number, n: number): string {
  return `pair ${pair} message ${n} `.padEnd(PLAINTEXT_BYTES - TEXT_OVERHEAD, 'x');
}

/** The client request id of a ws `send` frame: [A-Za-z0-9_-], pair and message number. */
export const requestId = (pair: number, n: number) => `${pair}-${n}`;

async function sealSlice(job: SealJob, transport: Transport): Promise<SealedSlice> {
  const messageIds: string[] = [];
  const wire: string[] = [];
  const recipients = [{ deviceId: job.recipient.deviceId, agreementKey: b64(job.recipient.agreementPublic) }];
  const conversation = JSON.stringify(job.conversationId);
  for (let n = job.from; n < job.to; n++) {
    const envelope = await sealEnvelope({ conversationId: job.conversationId, sender: job.sender, recipients, plaintext: encodeContent({ type: 'text', text: messageText(job.pair, n) }) });
    const body = JSON.stringify(envelope);
    messageIds.push(envelope.messageId);
    wire.push(transport === 'http' ? body : `{"type":"send","id":"${requestId(job.pair, n)}","conversationId":${conversation},"envelope":${body}}`);
  }
  return { pair: job.pair, from: job.from, messageIds, wire };
}

/**
 * Seals `perPair[p]` messages for every pair on up to `threads` worker threads (one per core by default), each
 * thread taking an equal share of every pair. Returns, per pair, message ids and wire texts in message order.
 */
export async function sealPool(input: { jobs: Omit<SealJob, 'from' | 'to'>[]; perPair: number[]; transport: Transport; threads?: number }): Promise<Array<{ messageIds: string[]; wire: string[] }>> {
  const threads = Math.max(1, input.threads ?? availableParallelism());
  const shares = Array.from({ length: threads }, (_, t) =>
    input.jobs.map((job, p) => {
      const count = input.perPair[p]!;
      return { ...job, from: Math.floor((count * t) / threads), to: Math.floor((count * (t + 1)) / threads) };
    }),
  );
  const results = await Promise.all(
    shares.map(
      (jobs) =>
        new Promise<SealedSlice[]>((resolve, reject) => {
          const worker = new Worker(WORKER_BOOT, { eval: true, workerData: { jobs, transport: input.transport } });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => code !== 0 && reject(new Error(`sealing worker exited with ${code}`)));
        }),
    ),
  );
  const pool = input.jobs.map(() => ({ messageIds: [] as string[], wire: [] as string[] }));
  for (const slice of results.flat().sort((a, b) => a.pair - b.pair || a.from - b.from)) {
    const into = pool[slice.pair]!;
    into.messageIds = into.messageIds.concat(slice.messageIds);
    into.wire = into.wire.concat(slice.wire);
  }
  return pool;
}

if (!isMainThread && parentPort) {
  const { jobs, transport } = workerData as { jobs: SealJob[]; transport: Transport };
  const slices: SealedSlice[] = [];
  await sodiumReady();
  for (const job of jobs) slices.push(await sealSlice(job, transport));
  parentPort.postMessage(slices);
}
