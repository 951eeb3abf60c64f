/**
 * @module `npm run bench -- fuzz [--runs N] [--seed S]`: the route fuzzer of the test suite at a larger scale
 * (default 300 runs per route × caller, ≈100,000 requests), same properties: no 5xx, problem+json refusals,
 * refused requests write nothing.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname ?? '.', '..');

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 300;
  const seed = args.includes('--seed') ? args[args.indexOf('--seed') + 1]! : String(Date.now() % 1_000_000_000);
  let output = '';
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/fuzz', '--testTimeout', '3600000', '--hookTimeout', '600000'], {
      cwd: ROOT,
      env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: seed },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (c) => done(c ?? 1));
  });
  const summary = /\[fuzz\] (\d+) HTTP requests over (\d+) route × caller properties in ([\d.]+) s; statuses (.*)/.exec(output);
  console.log(summary ? summary[0] : output.slice(-4000));
  const fiveHundreds = summary ? Number(/\b5\d\d:(\d+)/.exec(summary[4]!)?.[1] ?? 0) : NaN;
  if (code !== 0) console.log(output.slice(-6000));
  return { runs_per_route: runs, seed, requests: summary ? Number(summary[1]) : 0, seconds: summary ? Number(summary[3]) : 0, server_errors: fiveHundreds, passed: code === 0 };
}
