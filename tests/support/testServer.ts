/** @module Starts a real Exigent server on 127.0.0.1 (random port, fresh temporary database) for HTTP tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { manualClock, systemClock, type Clock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { startServer, type RunningServer } from '../../src/runtime/node/startServer';

import WebSocket from 'ws';
import type { SocketLike } from '../../clients/sdk/messenger';
import { ApiClient, TEST_ORIGIN } from './apiClient';

export { TEST_ORIGIN };

// Node's stand-in for the browser's WebSocket: the same surface, plus the cookie and Origin a browser adds.
ApiClient.transport = {
  fetch: (input, init) => fetch(input, init),
  openSocket: (url, headers) => new WebSocket(url, { headers }) as unknown as SocketLike,
};

export interface TestServer extends RunningServer {
  dir: string;
  logLines: string[];
  stop(): Promise<void>;
}

/** A port that was free a moment ago, for servers that must know their own origin before listening. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `dir` reuses an earlier server's directory (a restart after a crash); it is then left for the caller to remove.
 * `port` makes the server listen on it with origin http://localhost:<port>, as a real browser needs.
 */
export async function startTestServer(options: { env?: Record<string, string>; clock?: Clock; manualTime?: boolean; dir?: string; port?: number } = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'exigent-test-'));
  const config = loadConfig({
    PORT: '8787',
    EXIGENT_DB: join(dir, 'exigent.db'),
    EXIGENT_ORIGIN: options.port ? `http://localhost:${options.port}` : TEST_ORIGIN,
    EXIGENT_AUTH_RATE_LIMIT: '10000',
    // Stories open many urgent contacts in a row; tests/scenarios/requestLimits.scenario.ts sets this low.
    EXIGENT_CHALLENGE_RATE_PER_MINUTE: '10000',
    // Tests drive the scheduler themselves (runDueWork) so that nothing fires behind their back.
    EXIGENT_SCHEDULER_SECONDS: '3600',
    // Their webhook receivers listen on 127.0.0.1; tests of the refusal set this to 'false'.
    EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'true',
    ...options.env,
  });
  // Capture every log line so tests can assert what the server did (and did not) print.
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const clock = options.clock ?? (options.manualTime ? manualClock(Date.now()) : systemClock);
  const server = await startServer({ ...config, port: options.port ?? 0 }, { logger, clock });
  return {
    ...server,
    dir,
    logLines,
    async stop() {
      await server.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
