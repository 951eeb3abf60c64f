/**
 * @module `npm run bench -- delivery [--transport http|ws] [--pairs 25] [--window 16] [--seconds 10] [--rate R]
 * [--pool N] [--runtime node]`: issue 19's peer-shaped delivery benchmark. N sender→receiver device pairs (one
 * conversation each, envelopes sealed for the one receiver device, 1 KiB plaintext); each sender keeps `--window`
 * sends in flight (or, with `--rate`, the pairs together are offered R msg/s on a timer, open loop); receivers hold
 * their device stream and acknowledge; senders' streams take the receipts. 1 s warm-up, then `--seconds` measured:
 * delivered msg/s counted at the receivers, send→receive latency, server and load-generator CPU per message. After a
 * drain it checks nothing was lost, duplicated or left queued, one receipt per delivery, and decrypts a sample.
 *
 * The load generator is this one process's main thread (the envelopes are sealed ahead on worker threads). On the
 * 2-core machines the issue targets, more generator threads would take CPU from the server rather than add any, and
 * one thread keeps one clock for send→receive latency with no hand-off between threads; its CPU per message and
 * share of a core are printed beside the server's (with a warning near saturation) so a reader can tell which
 * side was the limit, and the machine's total shows what other processes took.
 */
import { b64, decodeContent, openEnvelope } from '../clients/sdk/crypto';
import { meterCpu, type CpuReading } from './support/cpuMeter';
import { enrolPairs, startDeliveryServer } from './support/deliveryPairs';
import { DeliveryLoad } from './support/deliveryLoad';
import { meterMachine } from './support/machineCpu';
import { messageText, sealPool, type Transport } from './support/sealPool';

const USAGE = 'npm run bench -- delivery [--transport http|ws] [--pairs 25] [--window 16] [--seconds 10] [--rate R] [--pool N] [--runtime node (only)]';
const WARM_UP_MS = 1000;
const DRAIN_TIMEOUT_MS = 30_000;
/** Closed loop: enough pre-sealed envelopes for this many delivered msg/s over warm-up and measurement. */
const CLOSED_LOOP_POOL_RATE = 6500;
/** Every pair's messages 0, 32, 64, … are decrypted after the drain (a few hundred to a few thousand). */
const SAMPLE_EVERY = 32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value. Usage: ${USAGE}`);
  return value;
}

function positive(args: string[], name: string, fallback: number | undefined): number | undefined {
  const text = option(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name} must be a positive number, not ${text}. Usage: ${USAGE}`);
  return value;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const transport = (option(args, 'transport') ?? 'http') as Transport;
  if (transport !== 'http' && transport !== 'ws') throw new Error(`--transport must be http or ws, not ${transport}. Usage: ${USAGE}`);
  const runtime = option(args, 'runtime') ?? 'node';
  if (runtime !== 'node') throw new Error(`only --runtime node is implemented, not ${runtime}. Usage: ${USAGE}`);
  const pairs = Math.round(positive(args, 'pairs', 25)!);
  const window = Math.round(positive(args, 'window', 16)!);
  const seconds = positive(args, 'seconds', 10)!;
  const rate = positive(args, 'rate', undefined);
  const runMs = WARM_UP_MS + seconds * 1000;
  const poolTotal = positive(args, 'pool', undefined) ?? Math.ceil((rate ?? CLOSED_LOOP_POOL_RATE) * (runMs / 1000) * 1.02);
  const perPair = Array.from({ length: pairs }, () => Math.ceil(poolTotal / pairs) + (rate ? 2 : window));
  const mode = rate ? `open loop, ${rate} msg/s offered in total (${round(rate / pairs)} per pair) on a timer` : `closed loop, ${window} in flight per sender`;
  console.log(`delivery: --transport ${transport}, ${pairs} pairs, ${mode}, ${WARM_UP_MS / 1000} s warm-up + ${seconds} s measured, runtime node (SQLite)`);

  const server = await startDeliveryServer();
  let load: DeliveryLoad | undefined;
  try {
    const t0 = performance.now();
    const peers = await enrolPairs(server, pairs);
    console.log(`enrolled ${pairs} pairs (2 investigators, 1 device each, 1 conversation per pair) in ${Math.round(performance.now() - t0)} ms`);

    // Every message a distinct envelope (own id, content key, signature), sealed ahead on worker threads; never reused.
    const t1 = performance.now();
    const pool = await sealPool({
      transport,
      perPair,
      jobs: peers.map((pair, p) => ({
        pair: p,
        conversationId: pair.conversationId,
        sender: { deviceId: pair.sender.deviceId, keys: pair.sender.keys },
        recipient: { deviceId: pair.receiver.deviceId, agreementPublic: pair.receiver.keys.agreementPublic },
      })),
    });
    const sealed = pool.reduce((n, slice) => n + slice.messageIds.length, 0);
    const distinct = new Set(pool.flatMap((slice) => slice.messageIds)).size;
    if (distinct !== sealed) throw new Error(`the pool holds ${sealed} envelopes but only ${distinct} distinct message ids`);
    const bytes = pool[0]!.wire[0]!.length;
    console.log(`sealed ${sealed} distinct envelopes (${perPair[0]} per pair, each sent at most once; 1 KiB plaintext, ${bytes} B on the wire) in ${Math.round(performance.now() - t1)} ms`);

    load = new DeliveryLoad({ url: server.url, transport, pairs: peers, pool, window, sampleEvery: SAMPLE_EVERY });
    await load.open();

    // The run: warm-up, then the measured window [from, to); CPU is metered over the window only.
    const start = performance.now();
    const from = start + WARM_UP_MS;
    const to = from + seconds * 1000;
    let cpu: { server: ReturnType<typeof meterCpu>; generator: ReturnType<typeof meterCpu>; machine: ReturnType<typeof meterMachine> } | undefined;
    let used: { server: CpuReading; generator: CpuReading; machine: { busyMs: number; cores: number } } | undefined;
    let offered = 0;
    const meters = (async () => {
      await sleep(from - performance.now());
      cpu = { server: meterCpu(server.process.pid!), generator: meterCpu(process.pid), machine: meterMachine() };
      await sleep(to - performance.now());
      used = { server: cpu.server.stop(), generator: cpu.generator.stop(), machine: cpu.machine.stop() };
    })();
    if (rate) {
      // Open loop: message k is due at start + k/rate, on pair k mod pairs, whatever the server has answered.
      const l = load;
      let k = 0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          for (let due = start + (k * 1000) / rate; due <= now && due < to; due = start + (++k * 1000) / rate) {
            if (l.send(k % pairs, due) && due >= from) offered++;
          }
          if (now >= to) resolve();
          else setTimeout(tick, 1);
        };
        tick();
      });
    } else {
      load.closedLoop(() => performance.now() < to);
    }
    await Promise.race([meters, load.failed]);

    // Drain: nothing new is sent; wait for every answer, delivery and receipt (bounded), then a moment for strays.
    const drainStart = performance.now();
    while ((load.outstanding() > 0 || load.undelivered() > 0) && performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
      await Promise.race([sleep(50), load.failed]);
    }
    const drainMs = performance.now() - drainStart;
    await sleep(300);

    // Figures: deliveries whose first arrival fell in the measured window.
    const latencies: number[] = [];
    for (let i = 0; i < load.total; i++) {
      const at = load.deliveredAt[i]!;
      if (load.deliveries[i]! > 0 && at >= from && at < to) latencies.push(at - load.sentAt[i]!);
    }
    const sorted = Float64Array.from(latencies).sort();
    const delivered = sorted.length;
    const perMessage = (ms: number) => Math.round((ms * 1000) / delivered);
    const t = load.tally();

    // Checks after the drain.
    const queued = await Promise.all(
      peers.map(async (pair) => {
        const res = await pair.receiver.client.get(`/api/v1/devices/${pair.receiver.deviceId}/queue?limit=200`);
        if (res.status !== 200) throw new Error(`queue of receiver ${pair.receiver.deviceId}: ${res.status} ${res.text}`);
        return (res.body.envelopes as unknown[]).length;
      }),
    );
    const queuedTotal = queued.reduce((a, b) => a + b, 0);
    let opened = 0;
    const sampleFailures: string[] = [];
    for (const [index, envelope] of load.samples) {
      const p = load.pairOf(index);
      const pair = peers[p]!;
      try {
        const { plaintext } = await openEnvelope({
          envelope,
          expectedConversationId: pair.conversationId,
          me: { deviceId: pair.receiver.deviceId, keys: pair.receiver.keys },
          lookupSender: (deviceId) => (deviceId === pair.sender.deviceId ? { deviceId, userId: pair.sender.userId, identityKey: b64(pair.sender.keys.identityPublic) } : undefined),
        });
        const content = decodeContent(plaintext);
        const expected = messageText(p, index - load.offset[p]!);
        if (content.type === 'text' && content.text === expected) opened++;
        else sampleFailures.push(`message ${index}: decrypted text differs from what was sent`);
      } catch (error) {
        sampleFailures.push(`message ${index}: ${(error as Error).message}`);
      }
    }
    const checks: Array<[string, boolean]> = [
      [`pool sufficed (no sender ran out before the end of the measured window)`, load.exhaustedAt >= to],
      [`drained within ${DRAIN_TIMEOUT_MS / 1000} s (${Math.round(drainMs)} ms)`, load.outstanding() === 0 && load.undelivered() === 0],
      [`every send accepted: ${t.accepted} accepted, ${t.refused} refused${load.refusals.length ? ` (${load.refusals.join('; ')})` : ''}, ${t.duplicateAnswers} answered as duplicates`, t.refused === 0 && t.duplicateAnswers === 0],
      [`0 lost: ${t.lost} accepted messages never delivered`, t.lost === 0],
      [`0 duplicated: ${t.duplicated} message ids delivered more than once`, t.duplicated === 0],
      [`0 misrouted or unknown: ${load.misrouted} to the wrong device, ${load.unknown} not ours`, load.misrouted === 0 && load.unknown === 0],
      [`0 queued: ${queuedTotal} envelopes left in the receivers' queues`, queuedTotal === 0],
      [`receipts = deliveries: ${t.receipts} receipts for ${t.delivered} delivered messages (${t.receiptsMismatched} messages off)`, t.receiptsMismatched === 0],
      [`sample decrypted by the SDK and equal to what was sent: ${opened}/${load.samples.size}${sampleFailures.length ? ` (${sampleFailures.slice(0, 3).join('; ')})` : ''}`, load.samples.size > 0 && opened === load.samples.size],
      [`streams stayed open${load.problems.length ? `: ${load.problems.slice(0, 3).join('; ')}` : ''}`, load.problems.length === 0],
    ];

    const s = used!;
    const coreShare = (ms: number) => `${Math.round((ms / (seconds * 1000)) * 100)}% of one core`;
    console.log(`sent ${load.sent} (${t.accepted} accepted); delivered in the measured ${seconds} s: ${delivered}${rate ? ` of ${offered} offered` : ''}`);
    console.log(`  ${Math.round(delivered / seconds)} delivered msg/s${rate ? ` (offered ${Math.round(offered / seconds)} msg/s)` : ''}, send→receive p50 ${round(percentile(sorted, 50))} ms, p99 ${round(percentile(sorted, 99))} ms${rate ? ' (from the scheduled send time)' : ''}`);
    console.log(`  server CPU per delivered message ${perMessage(s.server.processMs)} µs (JavaScript thread ${perMessage(s.server.mainThreadMs)} µs); server ${coreShare(s.server.processMs)}, its JavaScript thread ${coreShare(s.server.mainThreadMs)}`);
    console.log(`  load generator CPU per message ${perMessage(s.generator.processMs)} µs (its thread ${perMessage(s.generator.mainThreadMs)} µs); generator ${coreShare(s.generator.processMs)}, its JavaScript thread ${coreShare(s.generator.mainThreadMs)}`);
    const others = s.machine.busyMs - s.server.processMs - s.generator.processMs;
    console.log(`  machine: ${coreShare(s.machine.busyMs)} busy of ${s.machine.cores} cores, of which ${coreShare(Math.max(0, others))} neither the server nor the load generator`);
    if (s.generator.mainThreadMs > 0.85 * seconds * 1000) console.log('  warning: the load generator\'s thread was nearly saturated; the figures may be the generator\'s limit, not the server\'s');
    console.log('checks after the drain:');
    for (const [text, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);

    const figures = {
      transport,
      pairs,
      window,
      delivered_per_s: Math.round(delivered / seconds),
      ...(rate ? { offered_per_s: Math.round(offered / seconds) } : {}),
      deliver_p50_ms: round(percentile(sorted, 50)),
      deliver_p99_ms: round(percentile(sorted, 99)),
      server_cpu_us_per_msg: perMessage(s.server.processMs),
      server_js_cpu_us_per_msg: perMessage(s.server.mainThreadMs),
      generator_cpu_us_per_msg: perMessage(s.generator.processMs),
      lost: t.lost,
      duplicated: t.duplicated,
    };
    if (checks.some(([, ok]) => !ok)) {
      load.close();
      await server.stop();
      // run.ts prints the JSON line and exits 0 only on success; a failed check still ends with the figures.
      console.log(JSON.stringify({ bench: 'delivery', ...figures }));
      process.exit(1);
    }
    return figures;
  } finally {
    load?.close();
    await server.stop();
  }
}
