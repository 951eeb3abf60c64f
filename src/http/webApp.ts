/**
 * @module Serves the web app: one HTML shell for every page path (client-side routing), the bundled script and
 * the stylesheet. No inline script or style anywhere, so the strict Content-Security-Policy holds.
 */
import { Hono } from 'hono';
import type { AppEnv } from './appEnv';

export interface WebAssets {
  js: string;
  css: string;
}

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exigent</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="data:,">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="boot">Loading Exigent…</p></div>
<noscript>Exigent needs JavaScript: messages are encrypted in your browser.</noscript>
</body>
</html>
`;

export function webApp(options: { loadWebApp: () => Promise<WebAssets> }) {
  const app = new Hono<AppEnv>();
  app.get('/assets/app.js', async (c) => c.body((await options.loadWebApp()).js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  app.get('/assets/app.css', async (c) => c.body((await options.loadWebApp()).css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }));
  for (const path of ['/', '/enrol', '/login', '/account', '/contacts/*', '/new', '/inbox', '/formal-requests', '/formal-requests/*', '/review', '/review/*', '/statistics', '/admin', '/admin/*']) {
    app.get(path, (c) => c.html(SHELL));
  }
  return app;
}
