// Trust on first use of the log's key, in real Chromium against a real server: the first visit pins the key and
// shows its fingerprint for comparison with the operator's; the same server restarted with another signing key
// (same log name, a validly signed fresh checkpoint) gets a warning and no "verified" state; only an explicit,
// confirmed action re-pins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNote, parseVerifierKey } from '../../src/audit-log/tlog';
import { invite, type Person } from '../support/people';
import { freePort, startTestServer, type TestServer } from '../support/testServer';
import { accessible, hasChromium, launchChromium, person, photographFailures, shot } from './browser';
import { complianceOfficerIn, fingerprintOf, servedLogKey } from './complianceOfficer';

const PIN_STORAGE_KEY = 'exigent.logVerifierKey';

describe.skipIf(!hasChromium)('log key pinned on first use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exigent-e2e-pin-'));
  const contexts: BrowserContext[] = [];
  let port: number, origin: string;
  let server: TestServer, browser: Browser, compliance: Page, admin: Person, oversight: string;
  let firstKey: string, secondKey: string;

  beforeAll(async () => {
    port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startTestServer({ port, dir });
    browser = await launchChromium();
    compliance = await person(browser, contexts);
    ({ admin, oversight } = await complianceOfficerIn(compliance, server, origin));
    firstKey = await servedLogKey(server);
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first visit verifies the checkpoint, pins the key and shows its fingerprint', async () => {
    photographFailures(contexts, 'pin-first-visit');
    await compliance.goto(`${origin}/statistics`);
    const status = compliance.getByTestId('log-status');
    await status.getByText('log checkpoint verified in your browser').waitFor();
    await status.getByText('pinned in this browser on first use').waitFor();
    expect(await status.getByTestId('log-key-id').textContent()).toBe(firstKey.split('+')[1]);
    expect(await status.getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(firstKey));
    expect(await compliance.evaluate((key) => localStorage.getItem(key), PIN_STORAGE_KEY)).toBe(firstKey);
  }, 30_000);

  it('the server restarted with another log key gets a warning, not a verified checkpoint', async () => {
    photographFailures(contexts, 'pin-mismatch');
    await server.stop();
    server = await startTestServer({ port, dir, env: { EXIGENT_LOG_KEY: join(dir, 'replacement-log-signing.key') } });
    secondKey = await servedLogKey(server);
    expect(parseVerifierKey(secondKey).name).toBe(parseVerifierKey(firstKey).name);
    expect(secondKey).not.toBe(firstKey);
    // The log grows and the new key signs a fresh checkpoint: on its own word, this server is perfectly consistent.
    await invite(admin, { email: 'second@oversight.ua', displayName: 'Second Reviewer', role: 'compliance', agencyId: oversight });
    const checkpoint = await admin.client.post('/api/v1/log/checkpoint');
    expect(checkpoint.status, checkpoint.text).toBe(200);
    await openNote(checkpoint.body.note, parseVerifierKey(secondKey));

    await compliance.reload();
    const status = compliance.getByTestId('log-status');
    await status.getByRole('alert').getByText('The log’s key has changed since this browser pinned it').waitFor();
    expect(await status.getByText('verified in your browser').count()).toBe(0);
    expect(await status.getByTestId('pinned-key').getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(firstKey));
    expect(await status.getByTestId('served-key').getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(secondKey));
    await shot(compliance, 'log-key-changed');
    await accessible(compliance, 'log-key-changed');
  }, 60_000);

  it('re-pinning takes an explicit, confirmed action', async () => {
    photographFailures(contexts, 'pin-repin');
    const status = compliance.getByTestId('log-status');
    await status.getByRole('button', { name: 'Trust the new key…' }).click();
    await status.getByRole('button', { name: 'Keep the pinned key' }).click();
    expect(await compliance.evaluate((key) => localStorage.getItem(key), PIN_STORAGE_KEY)).toBe(firstKey);
    await status.getByRole('alert').getByText('The log’s key has changed').waitFor();

    await status.getByRole('button', { name: 'Trust the new key…' }).click();
    await status.getByRole('button', { name: 'Yes, trust the new key' }).click();
    await status.getByText('log checkpoint verified in your browser').waitFor();
    expect(await status.getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(secondKey));
    expect(await compliance.evaluate((key) => localStorage.getItem(key), PIN_STORAGE_KEY)).toBe(secondKey);
  }, 30_000);
});
