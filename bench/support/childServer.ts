/** @module Runs `npm start`'s entry point as a separate process on loopback, so load generator and server do not share a CPU thread. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ChildServer {
  url: string;
  origin: string;
  dbPath: string;
  dir: string;
  firstAdminUrl: string | undefined;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = resolve(import.meta.dirname ?? '.', '../..');

export async function startChildServer(options: { port: number; dir?: string; env?: Record<string, string> }): Promise<ChildServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'exigent-bench-'));
  const origin = `http://localhost:${options.port}`;
  const dbPath = join(dir, 'exigent.db');
  // EXIGENT_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = (process.env.EXIGENT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src/runtime/node/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      EXIGENT_DB: dbPath,
      EXIGENT_ORIGIN: origin,
      EXIGENT_LOG_LEVEL: 'warn',
      EXIGENT_AUTH_RATE_LIMIT: '100000',
      EXIGENT_CHALLENGE_RATE_PER_MINUTE: '100000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', process.env.EXIGENT_BENCH_STDERR ? 'inherit' : 'pipe'],
  });
  let output = '';
  let exited: number | null = null;
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', (code) => (exited = code ?? -1));
  const url = `http://127.0.0.1:${options.port}`;
  // Ready means answering /healthz, not merely having printed something.
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false))) {
    if (exited !== null) throw new Error(`server exited with ${exited}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not answer within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const firstAdminUrl = /(http:\/\/\S+\/enrol#token=[A-Za-z0-9_-]+)/.exec(output)?.[1];
  return {
    url,
    origin,
    dbPath,
    dir,
    firstAdminUrl,
    process: child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}
