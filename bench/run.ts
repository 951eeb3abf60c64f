/** @module `npm run bench -- <name> [options]`: runs one benchmark from bench/<name>.ts; each prints figures and ends with one JSON line. */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`Usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 64 : 0);
}
const bench = (await import(`./${name}.bench.ts`)) as { run(args: string[]): Promise<Record<string, unknown>> };
const figures = await bench.run(args);
// The very last line: one JSON object that scripts compare across runs.
console.log(JSON.stringify({ bench: name, ...figures }));
process.exit(0);
