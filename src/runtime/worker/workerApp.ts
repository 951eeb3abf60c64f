/** @module The Worker's Hono app: the same createApp as on Node, with the Workers answers to its runtime questions. */
import { createApp, type ExigentApp } from '../../http/createApp';
import type { WebAssets } from '../../http/webApp';
import type { Env } from './env';
import { durableRateLimiters } from './rateLimitCounter';
import { workerLiveStreams } from './workerLiveStreams';
import type { WorkerServices } from './workerServices';

/** Built by `npm run build:web` into dist/web, served through the ASSETS binding. */
async function asset(env: Env, path: string): Promise<string> {
  const response = await env.ASSETS.fetch(new Request(`https://assets.invalid${path}`));
  if (!response.ok) throw new Error(`static asset ${path} is missing (${response.status}); run \`npm run build:web\` before deploying`);
  return response.text();
}

const startedAt = Date.now();

export function createWorkerApp(services: WorkerServices, env: Env): ExigentApp {
  let webApp: Promise<WebAssets> | undefined;
  return createApp(services, {
    // Cloudflare's edge sets the caller's address; it cannot be forged past the edge.
    clientAddress: (c) => c.req.header('cf-connecting-ip') ?? 'unknown',
    loadScalarBundle: () => asset(env, '/scalar.js'),
    loadWebApp: () => (webApp ??= Promise.all([asset(env, '/app.js'), asset(env, '/app.css')]).then(([js, css]) => ({ js, css }))),
    liveStreams: workerLiveStreams(env),
    rateLimiters: durableRateLimiters(env.LIMITS),
    // An isolate has no process figures; how long this one has served is what there is.
    runtimeStats: () => ({ isolateUptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
  });
}
