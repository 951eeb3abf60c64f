/**
 * @module Builds the web app (clients/web) with esbuild when the server first serves it: no separate build step,
 * so `npm start` and `npm test` need nothing else. Built once per process and kept in memory.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { noteVerifierKey, parseVerifierKey } from '../../audit-log/tlog';
import type { WebAssets } from '../../http/webApp';

const WEB_ROOT = fileURLToPath(new URL('../../../clients/web/', import.meta.url));

let built: Promise<WebAssets> | undefined;

/**
 * The log key the web app will trust instead of whatever the server serves (clients/web/lib/logKeyPin.ts), in its
 * canonical text so the browser can compare it with the served key as a string. A bad value stops the build.
 */
export function builtInLogVerifierKey(value: string | undefined): string {
  if (!value) return '';
  try {
    const { name, alg, publicKey } = parseVerifierKey(value);
    // 0x01 signs notes; a witness's cosignature key (0x04) never signs the log's checkpoints.
    if (alg !== 0x01) throw new Error('the log key is an Ed25519 note key (algorithm 0x01), not a cosignature key');
    return noteVerifierKey(name, publicKey);
  } catch (error) {
    throw new Error(`EXIGENT_LOG_VERIFIER_KEY: ${(error as Error).message}`);
  }
}

export function loadWebApp(): Promise<WebAssets> {
  built ??= (async () => {
    const logVerifierKey = builtInLogVerifierKey(process.env.EXIGENT_LOG_VERIFIER_KEY);
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
      define: { 'process.env.NODE_ENV': '"production"', 'process.env.EXIGENT_LOG_VERIFIER_KEY': JSON.stringify(logVerifierKey) },
      logLevel: 'silent',
    });
    const js = result.outputFiles[0]!.text;
    const css = await readFile(`${WEB_ROOT}styles.css`, 'utf8');
    return { js, css };
  })();
  built.catch(() => (built = undefined));
  return built;
}
