/** @module Rendered API docs at /docs: Scalar's reference UI served from our own origin (no CDN), reading the live OpenAPI document. */
import { Hono } from 'hono';
import type { AppEnv } from './appEnv';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Exigent API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/scalar.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>`;

// A separate file rather than an inline script, so the page passes a CSP without 'unsafe-inline' scripts.
const INIT = `Scalar.createApiReference('#app', { url: '/api/v1/openapi.json', hideClientButton: true, telemetry: false });`;

/** Scalar injects its own style elements, so /docs (and only /docs) allows inline styles. */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function apiDocs(options: { loadScalarBundle: () => Promise<string> }) {
  const app = new Hono<AppEnv>();
  let bundle: Promise<string> | undefined;
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('content-security-policy', DOCS_CSP);
  });
  app.get('/', (c) => c.html(PAGE));
  app.get('/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/scalar.js', async (c) =>
    c.body(await (bundle ??= options.loadScalarBundle()), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=86400',
    }),
  );
  return app;
}
