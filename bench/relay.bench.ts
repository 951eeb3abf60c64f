/**
 * @module `npm run bench -- relay [--runtime node|worker] [--seconds N] [--connections C]`: (a) the ceiling — a bare
 * Hono + prepared-insert endpoint on the same runtime — and (b) the real authenticated send endpoint with fan-out to
 * 2 recipient devices, 50 connections each; the sender→recipient WebSocket delivery latency under that load; and the
 * SDK's 1 KiB encrypt+sign / verify+decrypt time. `--runtime worker` serves both from `wrangler dev --local`.
 */
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { Api } from '../clients/sdk/api';
import { b64, encodeContent, generateDeviceKeys, openEnvelope, sealEnvelope, type EnvelopeV1 } from '../clients/sdk/crypto';
import { Messenger } from '../clients/sdk/messenger';
import { enrolWithLink, type Person } from '../tests/support/people';
import { meterCpu, type CpuReading } from './support/cpuMeter';
import { RUNTIMES, startNodeTarget, startWorkerTarget, type Runtime } from './support/relayTargets';

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU per request: where a phase's time goes, steadier than req/s on a shared machine. */
function describeCpu(cpu: { server: CpuReading; generator: CpuReading }, requests: number): string {
  const perRequest = (ms: number) => `${Math.round((ms * 1000) / requests)} µs`;
  return `server CPU per request ${perRequest(cpu.server.processMs)} (JavaScript thread ${perRequest(cpu.server.mainThreadMs)}), load generator ${perRequest(cpu.generator.processMs)}`;
}

/** Median client cost of a 1 KiB message addressed to `devices` recipient devices (one sealed box each). */
async function cryptoTimes(devices: number, iterations = 2000) {
  const sender = await generateDeviceKeys();
  const recipients = await Promise.all(Array.from({ length: devices }, () => generateDeviceKeys()));
  const plaintext = encodeContent({ type: 'text', text: 'x'.repeat(1024 - 26) });
  const seal = () =>
    sealEnvelope({
      conversationId: 'bench',
      sender: { deviceId: 'a', keys: sender },
      recipients: recipients.map((r, i) => ({ deviceId: `r${i}`, agreementKey: b64(r.agreementPublic) })),
      plaintext,
    });
  const encrypt: number[] = [];
  const decrypt: number[] = [];
  const lookup = () => ({ deviceId: 'a', userId: 'u', identityKey: b64(sender.identityPublic) });
  for (let i = 0; i < iterations; i++) {
    let t = performance.now();
    const envelope = await seal();
    encrypt.push(performance.now() - t);
    t = performance.now();
    await openEnvelope({ envelope, expectedConversationId: 'bench', me: { deviceId: 'r0', keys: recipients[0]! }, lookupSender: lookup });
    decrypt.push(performance.now() - t);
  }
  encrypt.sort((a, b) => a - b);
  decrypt.sort((a, b) => a - b);
  return { encrypt_1k_ms: round(percentile(encrypt, 50)), decrypt_1k_ms: round(percentile(decrypt, 50)), encrypt_p99: round(percentile(encrypt, 99)), decrypt_p99: round(percentile(decrypt, 99)) };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const at = args.indexOf('--seconds');
  const seconds = at >= 0 ? Number(args[at + 1]) : 10;
  const connections = args.includes('--connections') ? Number(args[args.indexOf('--connections') + 1]) : 50;
  const runtime = (args.includes('--runtime') ? args[args.indexOf('--runtime') + 1] : 'node') as Runtime;
  if (!RUNTIMES.includes(runtime)) throw new Error(`--runtime must be one of ${RUNTIMES.join(', ')}, not ${runtime}`);
  console.log(`runtime: ${runtime}${runtime === 'worker' ? ' (wrangler dev --local, D1 and Durable Objects)' : ' (Node, SQLite)'}`);
  const server = runtime === 'worker' ? await startWorkerTarget() : await startNodeTarget();
  console.log(`server CPU below: ${server.serverCpuCovers}`);
  try {
    // People and devices, through the real API.
    const admin = await enrolWithLink(server.url, server.firstAdminUrl, { email: 'bench@exigent.test', displayName: 'Bench' }, server.origin);
    await admin.client.post('/api/v1/countries', { code: 'UA', name: 'Ukraine' });
    await admin.client.post('/api/v1/countries', { code: 'PL', name: 'Poland' });
    const police = async (name: string, countryCode: string) => (await admin.client.post('/api/v1/agencies', { name, countryCode, kind: 'police', dutyEmail: null })).body.id as string;
    const [ua, pl] = [await police('Police UA', 'UA'), await police('Police PL', 'PL')];
    const invite = async (email: string, agencyId: string): Promise<Person> => {
      const res = await admin.client.post('/api/v1/invitations', { email, displayName: email, role: 'investigator', agencyId });
      return enrolWithLink(server.url, res.body.url, {}, server.origin);
    };
    const anna = await invite('anna@police.ua', ua);
    const piotr = await invite('piotr@police.pl', pl);
    const { login } = await import('../tests/support/people');
    const register = async (person: Person, client = person.client) => {
      const api = new Api({ baseUrl: client.baseUrl, fetch: client.fetch });
      return Messenger.registerDevice(api, { userId: person.user.id, name: 'bench', keys: await generateDeviceKeys() });
    };
    const sender = await register(anna);
    const recipientClients = [piotr.client, await login(piotr)];
    const recipients = [await register(piotr, recipientClients[0]), await register(piotr, recipientClients[1])];
    // Conversations are opened by the urgent-contact workflow; here the domain function does it on the same database.
    const conversationId = await server.createConversation([anna.user.id, piotr.user.id]);

    // Pre-sealed envelopes (1 KiB plaintext), so the load generator spends its CPU on sending, not on crypto.
    const expected = Math.max(20_000, seconds * 6_000);
    console.log(`sealing ${expected} envelopes…`);
    const envelopes: string[] = [];
    const messageIds: string[] = [];
    const plaintext = encodeContent({ type: 'text', text: 'x'.repeat(1024 - 26) });
    for (let i = 0; i < expected; i++) {
      const envelope: EnvelopeV1 = await sealEnvelope({
        conversationId,
        sender: { deviceId: sender.deviceId, keys: sender.keys },
        recipients: recipients.map((r) => ({ deviceId: r.deviceId, agreementKey: b64(r.keys.agreementPublic) })),
        plaintext,
      });
      envelopes.push(JSON.stringify(envelope));
      messageIds.push(envelope.messageId);
    }

    console.log(`(a) ceiling: bare Hono + prepared ${runtime === 'worker' ? 'D1' : 'better-sqlite3'} insert, 50 connections, ${seconds} s`);
    const a = await server.ceiling(seconds, envelopes[0]!);
    console.log(`    ${a.rps} req/s  p50 ${a.p50_ms} ms  p99 ${a.p99_ms} ms`);
    console.log(`    ${describeCpu(a.cpu, a.total)}`);

    // Recipient devices stay connected and acknowledge everything, as real clients do.
    const postedAt = new Map<string, number>();
    const deliveries: number[] = [];
    const sockets = recipients.map((device, i) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/devices/${device.deviceId}/stream`, { headers: recipientClients[i]!.socketHeaders() });
      ws.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type: string; seq?: number; messageId?: string };
        if (event.type !== 'envelope') return;
        const started = postedAt.get(event.messageId!);
        if (started !== undefined) deliveries.push(performance.now() - started);
        ws.send(JSON.stringify({ type: 'ack', seqs: [event.seq] }));
      });
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    });
    const open = await Promise.all(sockets);

    console.log(`(b) authenticated send with fan-out to 2 devices, ${connections} connections, ${seconds} s`);
    let next = 0;
    const cpu = { server: meterCpu(server.serverPids()), generator: meterCpu(process.pid) };
    const result = await autocannon({
      url: `${server.url}/api/v1/conversations/${conversationId}/messages`,
      connections,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...anna.client.socketHeaders() },
      requests: [
        {
          setupRequest: (req) => {
            const i = next++ % envelopes.length;
            postedAt.set(messageIds[i]!, performance.now());
            return { ...req, body: envelopes[i]! };
          },
        },
      ],
    });
    const b = { rps: Math.round(result.requests.average), p50_ms: result.latency.p50, p99_ms: result.latency.p99, non2xx: result.non2xx };
    const sendCpu = { server: cpu.server.stop(), generator: cpu.generator.stop() };
    await new Promise((r) => setTimeout(r, 1000));
    for (const ws of open) ws.close();
    deliveries.sort((x, y) => x - y);
    console.log(`    ${b.rps} req/s  p50 ${b.p50_ms} ms  p99 ${b.p99_ms} ms  (non-2xx ${b.non2xx}${next > envelopes.length ? `, ${next - envelopes.length} retries of a used id` : ''})`);
    console.log(`    ${describeCpu(sendCpu, result.requests.total)} (recipients' acknowledgements included)`);
    console.log(`    delivery over WebSocket: ${deliveries.length} copies, p50 ${round(percentile(deliveries, 50))} ms, p99 ${round(percentile(deliveries, 99))} ms`);

    const single = await cryptoTimes(1);
    console.log(`client 1 KiB, 1 recipient device: encrypt+sign p50 ${single.encrypt_1k_ms} ms (p99 ${single.encrypt_p99}), verify+decrypt p50 ${single.decrypt_1k_ms} ms`);
    // The JSON figures are for the benchmark's own fan-out (2 devices): the cost a sender actually pays here.
    const times = await cryptoTimes(2);
    console.log(`client 1 KiB, 2 recipient devices: encrypt+sign p50 ${times.encrypt_1k_ms} ms (p99 ${times.encrypt_p99}), verify+decrypt p50 ${times.decrypt_1k_ms} ms (p99 ${times.decrypt_p99})`);
    return {
      runtime,
      ceiling_rps: a.rps,
      send_rps: b.rps,
      ratio: round(b.rps / a.rps, 2),
      send_p50_ms: b.p50_ms,
      send_p99_ms: b.p99_ms,
      deliver_p50_ms: round(percentile(deliveries, 50), 2),
      deliver_p99_ms: round(percentile(deliveries, 99), 2),
      encrypt_1k_ms: times.encrypt_1k_ms,
      decrypt_1k_ms: times.decrypt_1k_ms,
    };
  } finally {
    await server.stop();
  }
}
