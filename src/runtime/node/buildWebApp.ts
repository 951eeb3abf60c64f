/**
 * @module Builds the web app (clients/web) with esbuild when the server first serves it: no separate build step,
 * so `npm start` and `npm test` need nothing else. Built once per process and kept in memory.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WebAssets } from '../../http/webApp';

const WEB_ROOT = fileURLToPath(new URL('../../../clients/web/', import.meta.url));

let built: Promise<WebAssets> | undefined;

export function loadWebApp(): Promise<WebAssets> {
  built ??= (async () => {
    const result = await build({
      entryPoints: [`${WEB_ROOT}main.tsx`],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      write: false,
      jsx: 'automatic',
      jsxImportSource: 'hono/jsx/dom',
      // libsodium-wrappers' browser build pulls no Node built-ins, but its ESM entry probes for them.
      external: [],
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    });
    const js = result.outputFiles[0]!.text;
    const css = await readFile(`${WEB_ROOT}styles.css`, 'utf8');
    return { js, css };
  })();
  built.catch(() => (built = undefined));
  return built;
}
