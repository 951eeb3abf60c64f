// `npm start` on a fresh database, as a real process: the first-admin link reaches the operator's terminal as a plain
// line, and none of the JSON log lines on the same streams carries its token.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../support/testServer';
import { waitFor } from '../support/waitFor';

const ROOT = resolve(import.meta.dirname, '../..');
const FIRST_ADMIN_LINK = /(http:\/\/localhost:\d+\/enrol#token=([A-Za-z0-9_-]+))/;

it('prints the first-admin link on the terminal and keeps its token out of the JSON log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exigent-main-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), EXIGENT_DB: join(dir, 'exigent.db'), EXIGENT_LOG_LEVEL: 'info', EXIGENT_SCHEDULER_SECONDS: '3600' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const token = await waitFor(() => (output.includes('exigent listening') ? FIRST_ADMIN_LINK.exec(output)?.[2] : undefined), 'the server to listen and print the link', 60_000);
    const lines = output.split('\n');
    const json = lines.filter((l) => l.startsWith('{'));
    expect(json.some((l) => l.includes('first-admin enrolment link issued'))).toBe(true);
    expect(json.filter((l) => l.includes(token))).toEqual([]);
    expect(lines.filter((l) => l.includes(token))).toEqual([expect.stringMatching(/^ {2}http:\/\/localhost:\d+\/enrol#token=/)]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
