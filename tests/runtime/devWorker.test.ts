// `npm run dev:worker` as the README documents it, for real: on a fresh persist dir it prints a first-admin link that
// enrols the first administrator, serves the web app with its security headers, refuses a second first-admin link,
// and relays an E2E message live between two investigators' devices through D1 and the Durable Objects.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../clients/sdk/messenger';
import { systemClock } from '../../src/clock';
import { createConversation } from '../../src/relay/conversations';
import { wranglerD1Database } from '../../src/runtime/node/wranglerD1Database';
import { newDevice } from '../support/devices';
import { enrolWithLink, invite, seedDirectory, type Person } from '../support/people';
import { freePort } from '../support/testServer';
import { waitFor } from '../support/waitFor';

const ROOT = resolve(import.meta.dirname, '../..');
const DEV_VARS = join(ROOT, '.dev.vars');
const ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const FIRST_ADMIN_LINK = /(http:\/\/localhost:\d+\/enrol#token=[A-Za-z0-9_-]+)/;

const wrangler = spawnSync('npx', ['wrangler', '--version'], { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 30_000 });
const wranglerRuns = wrangler.status === 0;
if (!wranglerRuns) console.warn(`Skipping tests/runtime/devWorker.test.ts: \`npx wrangler --version\` cannot run (${wrangler.error?.message ?? wrangler.stderr})`);

/** Runs a command to its end; resolves with its exit code and what it printed. */
function runToEnd(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => done({ code, output }));
  });
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!wranglerRuns)('npm run dev:worker on a fresh persist dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exigent-dev-worker-'));
  // The script makes .dev.vars (the local signing key) only when it is missing; an engineer's own file is left alone.
  const devVarsExisted = existsSync(DEV_VARS);
  let port: number;
  let url: string;
  let origin: string;
  let dev: ChildProcess;
  let output = '';
  let admin: Person;

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    origin = `http://localhost:${port}`;
    // Its own process group, so afterAll stops npm, tsx, wrangler and both workerd processes together.
    dev = spawn('npm', ['run', 'dev:worker', '--', '--port', String(port), '--persist-to', dir], { cwd: ROOT, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Ready once the link was printed and the Worker answers: migrations, the link, the web build, then wrangler dev.
    // Generous: under a full parallel suite on two cores the web build and workerd's start share the CPU.
    const deadline = Date.now() + 120_000;
    while (!(FIRST_ADMIN_LINK.test(output) && (await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)))) {
      if (dev.exitCode !== null) throw new Error(`npm run dev:worker exited with ${dev.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm run dev:worker was not ready within 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 130_000);

  afterAll(async () => {
    if (dev?.pid) {
      if (groupAlive(dev.pid)) process.kill(-dev.pid, 'SIGTERM');
      const deadline = Date.now() + 5_000;
      while (groupAlive(dev.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(dev.pid)) process.kill(-dev.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    if (!devVarsExisted) rmSync(DEV_VARS, { force: true });
  }, 10_000);

  it('prints a first-admin link for its own origin, which enrols the first administrator with a passkey', async () => {
    const link = FIRST_ADMIN_LINK.exec(output)![1]!;
    expect(new URL(link).origin).toBe(origin);
    admin = await enrolWithLink(url, link, { email: 'admin@exigent.test', displayName: 'First Admin' }, origin);
    expect(admin.user.role).toBe('admin');
  });

  it('serves the web app shell and its script with the security headers', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/assets/app.js', 'javascript'],
    ] as const) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect((await res.text()).length, path).toBeGreaterThan(0);
    }
  });

  it('refuses a second first-admin link on the same database (exit 65)', async () => {
    const second = await runToEnd('npm', ['run', 'worker:first-admin', '--', '--local', '--persist-to', dir]);
    expect(second.code, second.output).toBe(65);
    expect(second.output).not.toMatch(FIRST_ADMIN_LINK);
  }, 60_000);

  it("delivers a message live from one investigator's device to another's, and the sender receives the receipt", async () => {
    const directory = await seedDirectory(admin);
    const anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: directory.agencies.policeA });
    const piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: directory.agencies.policeB });
    const [a1, p1] = [await newDevice(anna, 'Anna desk'), await newDevice(piotr, 'Piotr desk')];
    // Opened by the urgent-contact workflow in use; here by the domain function on the Worker's local D1.
    const database = wranglerD1Database({ target: 'local', persistTo: dir, configPath: join(ROOT, 'wrangler.toml') });
    const conversationId = await createConversation({ database, clock: systemClock }, { memberUserIds: [anna.user.id, piotr.user.id] });

    const live: ReceivedMessage[] = [];
    const receipts: Array<{ messageId: string; deviceId: string }> = [];
    const streams = [p1.connect({ onMessage: (m) => live.push(m) }), a1.connect({ onReceipt: (r) => receipts.push(r) })];
    await Promise.all(streams.map((s) => s.ready));
    // Both streams are open and their backlogs replayed: what arrives now is pushed live.
    const sent = await a1.sendText(conversationId, 'Suspect boarding at 14:05');
    const received = await waitFor(() => live.find((m) => m.messageId === sent.messageId), 'live delivery to Piotr', 10_000);
    expect(received.content).toMatchObject({ type: 'text', text: 'Suspect boarding at 14:05' });
    expect(received.senderDeviceId).toBe(a1.device.deviceId);
    await waitFor(() => receipts.find((r) => r.messageId === sent.messageId && r.deviceId === p1.device.deviceId), "Piotr's receipt at Anna's device", 10_000);
    for (const stream of streams) stream.close();
    await Promise.all(streams.map((s) => s.closed));
  }, 60_000);
});
