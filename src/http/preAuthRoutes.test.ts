// The routes taking bodies from callers without a session are read from the routes' own declarations.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './appEnv';
import { guardedRoute } from './guardedRoute';
import { preAuthRoutes } from './preAuthRoutes';
import { jsonBody, NoContent } from './schemas';

function app() {
  const routes = new OpenAPIHono<AppEnv>();
  const body = jsonBody(z.object({ name: z.string() }));
  routes.openapi(guardedRoute('anonymous', { method: 'post', path: '/ceremonies/{id}/complete', request: body, responses: { 204: NoContent } }), (c) => c.body(null, 204));
  routes.openapi(guardedRoute('anonymous', { method: 'get', path: '/public', responses: { 204: NoContent } }), (c) => c.body(null, 204));
  routes.openapi(guardedRoute(['admin'], { method: 'post', path: '/countries', request: body, responses: { 204: NoContent } }), (c) => c.body(null, 204));
  const root = new OpenAPIHono<AppEnv>();
  root.route('/api/v1', routes);
  return root;
}

describe('preAuthRoutes', () => {
  it("matches exactly the body-carrying operations declared 'anonymous', under their mount path", () => {
    const isPreAuth = preAuthRoutes(app().openAPIRegistry);
    expect(isPreAuth('POST', '/api/v1/ceremonies/abc-1/complete')).toBe(true);
    // One path parameter is one segment; other methods, other roles and other paths are not ceremonies.
    expect(isPreAuth('POST', '/api/v1/ceremonies/a/b/complete')).toBe(false);
    expect(isPreAuth('PUT', '/api/v1/ceremonies/abc-1/complete')).toBe(false);
    expect(isPreAuth('POST', '/api/v1/countries')).toBe(false);
    expect(isPreAuth('POST', '/api/v1/public')).toBe(false);
    expect(isPreAuth('POST', '/ceremonies/abc-1/complete')).toBe(false);
  });
});
