/**
 * @module The runtimes the relay benchmark measures — Node (`npm start`'s entry point on SQLite) and Workers
 * (`wrangler dev --local` on D1 and Durable Objects). Each gives the server, a ceiling measured the same way on the
 * same runtime, the domain function's way to its database, and the processes whose CPU counts as the server's.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { createConversation } from '../../src/relay/conversations';
import { openNodeServices } from '../../src/runtime/node/openServices';
import { startChildServer } from './childServer';
import { freePort, startChildWorker, startWranglerDev } from './childWorker';
import { meterCpu, type CpuReading } from './cpuMeter';
import { loadRun, type LoadFigures } from './loadRun';

const ROOT = resolve(import.meta.dirname ?? '.', '../..');

export type Runtime = 'node' | 'worker';
export const RUNTIMES: readonly Runtime[] = ['node', 'worker'];

export type CeilingFigures = LoadFigures & { cpu: { server: CpuReading; generator: CpuReading } };

export interface RelayTarget {
  runtime: Runtime;
  /** Where the load generator connects (loopback). */
  url: string;
  /** The Worker's or server's EXIGENT_ORIGIN: what browsers (and the soft authenticator) present. */
  origin: string;
  firstAdminUrl: string;
  /** The processes whose CPU is the server's (Node: the server process; Workers: both workerd processes). */
  serverPids(): number[];
  /** What `serverPids` covers, for the printed figures. */
  serverCpuCovers: string;
  /** Opens a conversation with the domain function, on the target's own database (the urgent workflow's job in use). */
  createConversation(memberUserIds: string[]): Promise<string>;
  /** Phase (a): the bare endpoint with one prepared insert per request, on the same runtime, for `seconds`. */
  ceiling(seconds: number, body: string): Promise<CeilingFigures>;
  stop(): Promise<void>;
}

/** Limits raised out of the way: the benchmark measures the relay, not its rate limiting. */
const LIMITS = {
  EXIGENT_SEND_RATE_PER_MINUTE: '100000000',
  EXIGENT_DEVICE_QUEUE_MAX: '100000000',
  EXIGENT_AUTH_RATE_LIMIT: '100000',
  EXIGENT_CHECKPOINT_SECONDS: '2',
};

async function untilHealthy(url: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measureCeiling(url: string, body: string, seconds: number, serverPids: number[]): Promise<CeilingFigures> {
  const [server, generator] = [meterCpu(serverPids), meterCpu(process.pid)];
  const figures = await loadRun({ url: `${url}/envelopes`, method: 'POST', body, headers: { 'content-type': 'application/json' }, duration: seconds });
  return { ...figures, cpu: { server: server.stop(), generator: generator.stop() } };
}

export async function startNodeTarget(): Promise<RelayTarget> {
  const server = await startChildServer({ port: 18787, env: LIMITS });
  return {
    runtime: 'node',
    url: server.url,
    origin: server.origin,
    firstAdminUrl: server.firstAdminUrl!,
    serverPids: () => [server.process.pid!],
    serverCpuCovers: 'the server process',
    async createConversation(memberUserIds) {
      // The same database file the server has open (SQLite in WAL mode takes a second writer).
      const config = loadConfig({ EXIGENT_DB: server.dbPath, EXIGENT_LOG_KEY: join(server.dir, 'log-signing.key') });
      const services = await openNodeServices(config, { logger: pino({ level: 'silent' }) });
      try {
        return await createConversation(services, { memberUserIds });
      } finally {
        services.database.close();
      }
    },
    async ceiling(seconds, body) {
      const port = 18788;
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/ceilingServer.ts'), String(port), join(server.dir, 'ceiling.db')], {
        cwd: ROOT,
        stdio: 'ignore',
      });
      try {
        await untilHealthy(`http://127.0.0.1:${port}`, 'ceiling server');
        return await measureCeiling(`http://127.0.0.1:${port}`, body, seconds, [child.pid!]);
      } finally {
        child.kill();
      }
    },
    stop: () => server.stop(),
  };
}

/** A wrangler config for the ceiling Worker: its module, one D1 binding, the app's compatibility date. */
function ceilingWorkerConfig(dir: string): string {
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'wrangler.toml');
  writeFileSync(
    path,
    [
      'name = "exigent-bench-ceiling"',
      `main = ${JSON.stringify(join(ROOT, 'bench/support/ceilingWorker.ts'))}`,
      `compatibility_date = "${date}"`,
      '',
      '[[d1_databases]]',
      'binding = "DB"',
      'database_name = "ceiling"',
      'database_id = "00000000-0000-0000-0000-000000000001"',
      '',
    ].join('\n'),
  );
  return path;
}

export async function startWorkerTarget(): Promise<RelayTarget> {
  const worker = await startChildWorker({ port: await freePort(), vars: LIMITS });
  return {
    runtime: 'worker',
    url: worker.url,
    origin: worker.origin,
    firstAdminUrl: worker.firstAdminUrl,
    serverPids: () => worker.workerdPids(),
    // The proxy exists only under wrangler dev (it holds requests while the Worker reloads); both are counted.
    serverCpuCovers: "both workerd processes (wrangler dev's proxy on the port, and the runtime with the Worker, D1 and the Durable Objects)",
    // Through `wrangler d1 execute` on the same local D1 the Worker serves from.
    createConversation: (memberUserIds) => createConversation({ database: worker.database, clock: systemClock }, { memberUserIds }),
    async ceiling(seconds, body) {
      const dir = join(worker.dir, 'ceiling');
      const ceiling = await startWranglerDev({ port: await freePort(), persistTo: join(dir, 'state'), config: ceilingWorkerConfig(dir) });
      try {
        return await measureCeiling(ceiling.url, body, seconds, ceiling.workerdPids());
      } finally {
        await ceiling.stop();
      }
    },
    stop: () => worker.stop(),
  };
}
