/**
 * @module `npm run build:web`: writes the web app's bundle, its stylesheet and the API docs' script to dist/web,
 * the static assets a Worker serves (wrangler.toml runs it before `wrangler dev` and `wrangler deploy`). The Node
 * server builds the same bundle in memory instead.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadWebApp } from './buildWebApp';

const OUT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));
const require = createRequire(import.meta.url);

const { js, css } = await loadWebApp();
mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}app.js`, js);
writeFileSync(`${OUT}app.css`, css);
writeFileSync(`${OUT}scalar.js`, readFileSync(require.resolve('@scalar/api-reference/browser/standalone.js')));
console.log(`web assets written to ${OUT}`);
