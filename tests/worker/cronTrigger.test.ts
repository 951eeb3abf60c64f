// The Cron Trigger (wrangler.toml [triggers]) runs the scheduler's due work through the Worker's `scheduled`
// handler; workerd-only, as there is no such handler on Node (a timer calls runDueWork there).
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/runtime/worker/index';
import type { Env } from '../../src/runtime/worker/env';

describe('the Cron Trigger', () => {
  it('runs the due work and succeeds', async () => {
    const ctx = createExecutionContext();
    await expect(worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env as unknown as Env, ctx)).resolves.toBeUndefined();
    await waitOnExecutionContext(ctx);
  });
});
