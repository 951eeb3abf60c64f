/** @module Operator figures about the running process (memory, uptime), for administrators and the soak benchmark. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import { jsonResponse } from '../schemas';
import { validationHook } from '../validationHook';

export function runtimeRoutes(options: { runtimeStats: () => Record<string, number> }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    guardedRoute(['admin'], {
      method: 'get',
      path: '/admin/runtime',
      summary: 'Memory and uptime of this server process',
      responses: { 200: jsonResponse(z.record(z.string(), z.number()).openapi('RuntimeStats'), 'Figures') },
    }),
    (c) => c.json(options.runtimeStats(), 200),
  );
  return app;
}
