/**
 * @module Runs the Worker under `wrangler dev --local` as a separate process group on loopback — the Workers
 * counterpart of childServer.ts: its own persisted state (a temp directory), fresh migrations, a generated log-signing
 * key in a temp env file (the repo's .dev.vars is neither read nor written), and the first-admin link.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateLogSigningKeyPem } from '../../src/audit-log/logSignerKey';
import { createFirstAdminEnrolment } from '../../src/auth/enrolments';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { wranglerD1Database } from '../../src/runtime/node/wranglerD1Database';
import type { Database } from '../../src/storage/database';

const ROOT = resolve(import.meta.dirname ?? '.', '../..');
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
/** Wrangler phones home unless told not to; the benchmark stays on loopback. */
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
/** Enough of wrangler's output to explain a failed start, without holding a whole run's request log. */
const OUTPUT_KEPT = 64 * 1024;

/** A port that was free a moment ago (wrangler needs it up front: the Worker's origin names it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/** Every process below `root`, from /proc (Linux); wrangler starts workerd a few levels down. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((child) => (found.push(child), walk(child)));
  walk(root);
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

export interface WranglerDev {
  url: string;
  process: ChildProcess;
  /**
   * The workerd processes serving requests: wrangler's proxy (which owns the port) and the runtime running the
   * Worker and its Durable Objects. Wrangler's own Node process is not on the request path.
   */
  workerdPids(): number[];
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  port: number;
  persistTo: string;
  /** A wrangler config; the repo's wrangler.toml when absent. */
  config?: string;
  /** Plain-text vars (`--var NAME:value`). */
  vars?: Record<string, string>;
  /** An env file whose entries become secrets; it replaces .dev.vars, which wrangler then does not read. */
  envFile?: string;
}

/** `wrangler dev --local` in its own process group; resolves once GET /healthz answers 200. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const args = [
    WRANGLER, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(options.port),
    '--inspector-port', String(await freePort()), '--persist-to', options.persistTo,
    '--show-interactive-dev-session=false', '--log-level', 'warn',
    ...(options.config ? ['--config', options.config] : []),
    ...(options.envFile ? ['--env-file', options.envFile] : []),
    ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: WRANGLER_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // EXIGENT_BENCH_STDERR shows wrangler's and the Worker's own output as it comes, as it does for the Node server.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
    if (process.env.EXIGENT_BENCH_STDERR) process.stderr.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    // The whole group: wrangler's Node process and both workerd processes.
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${options.port}`;
  // wrangler builds the web assets and bundles the Worker first; ready means answering, not having printed something.
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false))) {
    if (exited !== null) throw new Error(`wrangler dev exited with ${exited}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    workerdPids: () => descendantPids(child.pid!).filter((pid) => commandOf(pid).endsWith('/workerd')),
    stop,
  };
}

export interface ChildWorker extends WranglerDev {
  origin: string;
  /** The persisted state (D1, Durable Objects, R2) and the temp env file. */
  dir: string;
  firstAdminUrl: string;
  /** The same local D1 the Worker uses, reached through `wrangler d1 execute` (a process per statement). */
  database: Database;
}

/** Exigent's Worker on a fresh local D1: migrations applied, a signing key generated, a first-admin link issued. */
export async function startChildWorker(options: { port: number; dir?: string; vars?: Record<string, string> }): Promise<ChildWorker> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'exigent-bench-worker-'));
  const origin = `http://localhost:${options.port}`;
  const migrated = spawnSync(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], { cwd: ROOT, env: WRANGLER_ENV, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${migrated.status}):\n${migrated.stdout}${migrated.stderr}`);
  // The local stand-in for `wrangler secret put EXIGENT_LOG_SIGNING_KEY`, kept beside the state it signs.
  const envFile = join(dir, 'bench.env');
  const key = (await generateLogSigningKeyPem()).replace(/-----[A-Z ]+-----|\s+/g, '');
  writeFileSync(envFile, `EXIGENT_LOG_SIGNING_KEY=${key}\n`, { mode: 0o600 });
  const database = wranglerD1Database({ target: 'local', persistTo: dir });
  const link = await createFirstAdminEnrolment({ database, clock: systemClock, config: loadConfig({ EXIGENT_ORIGIN: origin }) });
  const dev = await startWranglerDev({ port: options.port, persistTo: dir, envFile, vars: { EXIGENT_ORIGIN: origin, EXIGENT_LOG_LEVEL: 'warn', ...options.vars } });
  return { ...dev, origin, dir, firstAdminUrl: link.url, database };
}
