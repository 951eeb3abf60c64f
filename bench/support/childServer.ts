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
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/runtime/node/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      EXIGENT_DB: dbPath,
      EXIGENT_ORIGIN: origin,
      EXIGENT_LOG_LEVEL: 'warn',
      EXIGENT_AUTH_RATE_LIMIT: '100000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstAdminUrl: string | undefined;
  let output = '';
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const link = /(http:\/\/\S+\/enrol#token=[A-Za-z0-9_-]+)/.exec(output);
      if (link) firstAdminUrl = link[1];
      if (output.includes('exigent listening') || output.includes('"level":30')) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const url = `http://127.0.0.1:${options.port}`;
  // Wait until it answers, not just until it printed.
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
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
