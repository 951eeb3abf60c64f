/**
 * @module Real Chromium for the web app's end-to-end tests: Debian's browser driven by playwright-core, one profile
 * and one CDP virtual authenticator per person, screenshots, and axe-core accessibility audits.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping browser tests: ${CHROMIUM} is missing (.ci/run installs it with apt-get).`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A person: their own browser profile and their own platform authenticator with user verification. */
export async function person(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Browser-side errors go to the test output, where a failure can be understood.
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && console.error(`[browser console] ${message.text()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return page;
}

export async function enrol(page: Page, link: string) {
  await page.goto(link);
  await page.getByRole('button', { name: 'Create my passkey' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/enrol'));
  await page.locator('header.top').waitFor();
}

export async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** On failure, every open page is photographed (tests/e2e/screenshots/failure-*.png) to show what the user saw. */
export function photographFailures(contexts: BrowserContext[], name: string) {
  onTestFailed(async () => {
    for (const [i, context] of contexts.entries()) for (const page of context.pages()) await shot(page, `failure-${name}-${i}`).catch(() => undefined);
  });
}

/** WCAG 2 A/AA checks with axe-core on the page as the user sees it; serious and critical findings fail. */
export async function accessible(page: Page, name: string) {
  // Evaluated through the DevTools protocol, so the page's own CSP (rightly) does not apply to the auditor.
  await page.evaluate(AXE);
  const audit = await page.evaluate(async () => {
    type Result = { passes: unknown[]; violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> };
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<Result> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return {
      passes: result.passes.length,
      all: result.violations.map((v) => `${v.id}:${v.impact}`),
      violations: result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
    };
  });
  console.log(`[axe] ${name}: ${audit.passes} rules passed; findings: ${audit.all.join(', ') || 'none'}`);
  // Proof the audit really ran: a page of this size passes dozens of rules.
  expect(audit.passes, `axe ran on ${name}`).toBeGreaterThan(10);
  expect(audit.violations, `accessibility of ${name}`).toEqual([]);
}
