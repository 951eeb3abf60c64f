/**
 * @module The Cloudflare Worker: `fetch` serves the same Hono app as Node, `scheduled` (the Cron Trigger) runs the
 * scheduler's due work (through the one DueWorkRunner object), and the Durable Object classes named in
 * wrangler.toml are exported from here.
 */
import { ConfigError } from '../../config/loadConfig';
import { problemResponse } from '../../http/problem';
import { DUE_WORK_RUNNER_NAME } from './dueWorkRunner';
import type { Env } from './env';
import { createWorkerApp } from './workerApp';
import { openWorkerServices, servicesCache, type WorkerServices } from './workerServices';

export { DueWorkRunner } from './dueWorkRunner';
export { LiveHub } from './liveHub';
export { LogSequencer } from './logSequencer';
export { RateLimitCounter } from './rateLimitCounter';

let isolate: { env: Env; services: ReturnType<typeof servicesCache>; app?: ReturnType<typeof createWorkerApp> } | undefined;

function forEnv(env: Env) {
  if (isolate?.env !== env) isolate = { env, services: servicesCache(() => openWorkerServices(env)) };
  return isolate;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const state = forEnv(env);
    let services: WorkerServices;
    try {
      services = await state.services();
    } catch (error) {
      // A bad var or a missing secret: say which, as `npm start` does on Node, instead of an opaque crash.
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      return problemResponse({ title: 'Misconfigured', status: 503, detail: error.message });
    }
    state.app ??= createWorkerApp(services, env);
    const response = await state.app.fetch(request, env, ctx);
    // Live pushes started by this request finish after the response is sent.
    ctx.waitUntil(services.hub.settled());
    return response;
  },

  async scheduled(_controller, env, ctx): Promise<void> {
    const services = await forEnv(env).services();
    try {
      const report = await env.DUE_WORK.get(env.DUE_WORK.idFromName(DUE_WORK_RUNNER_NAME)).run();
      services.logger.info(report, 'scheduled work done');
    } catch (error) {
      // Failing the invocation makes the platform report it; the next tick carries on from the database.
      services.logger.error({ err: error }, 'scheduled work failed');
      throw error;
    } finally {
      ctx.waitUntil(services.hub.settled());
    }
  },
} satisfies ExportedHandler<Env>;
