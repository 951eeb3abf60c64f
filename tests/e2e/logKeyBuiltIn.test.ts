// A log key built into the web app (EXIGENT_LOG_VERIFIER_KEY when the bundle is built), in real Chromium against a
// real server: the server with that key is verified; the same server restarted with another key is refused loudly,
// and the browser offers no way to trust the served key instead. Its own file: the bundle is built once per process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../support/testServer';
import { hasChromium, launchChromium, person, photographFailures, shot } from './browser';
import { complianceOfficerIn, fingerprintOf, servedLogKey } from './complianceOfficer';

describe.skipIf(!hasChromium)('log key built into the web app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exigent-e2e-built-in-'));
  const contexts: BrowserContext[] = [];
  let port: number, origin: string;
  let server: TestServer, browser: Browser, compliance: Page;
  let builtInKey: string;

  beforeAll(async () => {
    port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startTestServer({ port, dir });
    builtInKey = await servedLogKey(server);
    // Read when the bundle is built, which happens on the first request for it — none has been made yet.
    process.env.EXIGENT_LOG_VERIFIER_KEY = builtInKey;
    browser = await launchChromium();
    compliance = await person(browser, contexts);
    await complianceOfficerIn(compliance, server, origin);
  }, 60_000);
  afterAll(async () => {
    delete process.env.EXIGENT_LOG_VERIFIER_KEY;
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the checkpoint against the built-in key and says so', async () => {
    photographFailures(contexts, 'built-in-match');
    await compliance.goto(`${origin}/statistics`);
    const status = compliance.getByTestId('log-status');
    await status.getByText('log checkpoint verified in your browser').waitFor();
    await status.getByText('built into this app').waitFor();
    expect(await status.getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(builtInKey));
  }, 30_000);

  it('refuses a server whose key differs, with no way to trust it from the browser', async () => {
    photographFailures(contexts, 'built-in-mismatch');
    await server.stop();
    server = await startTestServer({ port, dir, env: { EXIGENT_LOG_KEY: join(dir, 'replacement-log-signing.key') } });
    const served = await servedLogKey(server);
    expect(served).not.toBe(builtInKey);
    await compliance.reload();
    const status = compliance.getByTestId('log-status');
    await status.getByRole('alert').getByText('This server’s log key is not the one built into this app').waitFor();
    expect(await status.getByText('verified in your browser').count()).toBe(0);
    expect(await status.getByRole('button').count()).toBe(0);
    expect(await status.getByTestId('served-key').getByTestId('log-key-fingerprint').textContent()).toBe(fingerprintOf(served));
    await shot(compliance, 'log-key-refused');
  }, 30_000);
});
