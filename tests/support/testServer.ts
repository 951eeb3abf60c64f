/** @module Starts a real Exigent server on 127.0.0.1 (random port, fresh temporary database) for HTTP tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { manualClock, systemClock, type Clock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { startServer, type RunningServer } from '../../src/runtime/node/startServer';

/** The origin browsers would use; tests send it as the Origin header and authenticators sign it. */
export const TEST_ORIGIN = 'http://localhost:8787';

export interface TestServer extends RunningServer {
  dir: string;
  logLines: string[];
  stop(): Promise<void>;
}

/** `dir` reuses an earlier server's directory (a restart after a crash); it is then left for the caller to remove. */
export async function startTestServer(options: { env?: Record<string, string>; clock?: Clock; manualTime?: boolean; dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'exigent-test-'));
  const config = loadConfig({
    PORT: '8787',
    EXIGENT_DB: join(dir, 'exigent.db'),
    EXIGENT_ORIGIN: TEST_ORIGIN,
    EXIGENT_AUTH_RATE_LIMIT: '10000',
    // Tests drive the scheduler themselves (runDueWork) so that nothing fires behind their back.
    EXIGENT_SCHEDULER_SECONDS: '3600',
    ...options.env,
  });
  // Capture every log line so tests can assert what the server did (and did not) print.
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const clock = options.clock ?? (options.manualTime ? manualClock(Date.now()) : systemClock);
  const server = await startServer({ ...config, port: 0 }, { logger, clock });
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
