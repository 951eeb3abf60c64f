/** @module The Node harness: a real server on 127.0.0.1 with a fresh SQLite database (see tests/support/harness.ts). */
import { manualClock } from '../../src/clock';
import { createOutboxTransports } from '../../src/outbox/transports';
import { runDueWork } from '../../src/scheduler/runDueWork';
import type { Harness, HarnessOptions } from './harness';
import { startTestServer } from './testServer';

export async function startNodeHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await startTestServer({ env: options.env });
  if (!server.firstAdminUrl) throw new Error('a fresh server printed no first-admin link');
  return {
    runtime: 'node',
    url: server.url,
    firstAdminUrl: server.firstAdminUrl,
    services: server.services,
    // No mail server: e-mails stay in the outbox, as they do in the workerd run.
    runDueWork: (options = {}) =>
      runDueWork({ ...server.services, clock: options.at === undefined ? server.services.clock : manualClock(options.at) }, createOutboxTransports(), { budget: options.budget }),
    execute: async (sql) => void server.services.database.sqlite.exec(sql),
    stop: () => server.stop(),
  };
}
