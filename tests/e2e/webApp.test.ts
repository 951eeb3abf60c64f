// The web app in real Chromium (Debian's, driven by playwright-core) with a CDP virtual authenticator per person:
// an admin sets up the directory and invites everyone, an investigator in Ukraine opens an urgent contact, the
// Polish counterpart reads it decrypted and replies with a photo, the Ukrainian NCB acknowledges from its live
// inbox, and compliance reviews the case and exports it. Screenshots land in tests/e2e/screenshots/.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../clients/cli/log/verifyExport';
import { freePort, startTestServer, type TestServer } from '../support/testServer';
import { accessible, enrol, hasChromium, launchChromium, person as newPerson, photographFailures as photograph, shot } from './browser';

// 1×1 PNG: a real image the receiving browser must decrypt and preview.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const person = () => newPerson(browser, contexts);
const photographFailures = (name: string) => photograph(contexts, name);

describe.skipIf(!hasChromium)('web app in Chromium', () => {
  let admin: Page, anna: Page, piotr: Page, ncbUa: Page, compliance: Page;
  const links: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ port: await freePort(), env: { EXIGENT_MAX_ATTACHMENT_MB: '1' } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('the first administrator enrols and sets up countries, agencies and invitations', async () => {
    photographFailures('step1');
    admin = await person();
    await admin.goto(server.firstAdminUrl!);
    await admin.getByLabel(/Work e-mail/).fill('admin@exigent.test');
    await admin.getByLabel(/Your name/).fill('Ada Admin');
    await admin.getByRole('button', { name: 'Create my passkey' }).click();
    await admin.getByRole('heading', { name: 'Administration' }).waitFor();

    for (const [code, name] of [
      ['UA', 'Ukraine'],
      ['PL', 'Poland'],
    ] as const) {
      await admin.getByLabel('Country code').fill(code);
      await admin.getByLabel('Country name').fill(name);
      await admin.getByRole('button', { name: 'Add country' }).click();
      await admin.locator('#countryCode option', { hasText: name }).waitFor({ state: 'attached' });
    }
    for (const [name, country, kind, duty] of [
      ['National Police of Ukraine', 'UA', 'police', ''],
      ['NCB Kyiv', 'UA', 'ncb', 'duty@ncb.ua'],
      ['Policja', 'PL', 'police', ''],
      ['NCB Warsaw', 'PL', 'ncb', 'duty@ncb.pl'],
      ['Oversight Office', 'UA', 'oversight', ''],
    ] as const) {
      await admin.getByLabel('Agency name').fill(name);
      await admin.locator('#countryCode').selectOption(country);
      await admin.locator('#kind').selectOption(kind);
      if (duty) await admin.getByLabel('NCB duty e-mail').fill(duty);
      await admin.getByRole('button', { name: 'Add agency' }).click();
      await admin.getByRole('cell', { name, exact: true }).waitFor();
    }
    // A mistake is shown next to its field, and nothing typed is lost.
    await admin.locator('#email').fill('not-an-email');
    await admin.locator('#displayName').fill('Anna Kovalenko');
    await admin.getByRole('button', { name: 'Create invitation link' }).click();
    await admin.locator('[data-field="email"] .error').waitFor();
    expect(await admin.locator('#displayName').inputValue()).toBe('Anna Kovalenko');

    for (const [key, email, name, role, agency] of [
      ['anna', 'anna@police.ua', 'Anna Kovalenko', 'investigator', 'National Police of Ukraine'],
      ['piotr', 'piotr@policja.pl', 'Piotr Nowak', 'investigator', 'Policja'],
      ['ncbUa', 'officer@ncb.ua', 'Oksana NCB', 'ncb_officer', 'NCB Kyiv'],
      ['compliance', 'audit@oversight.ua', 'Olena Compliance', 'compliance', 'Oversight Office'],
    ] as const) {
      await admin.locator('#email').fill(email);
      await admin.locator('#displayName').fill(name);
      await admin.locator('#role').selectOption(role);
      await admin.locator('#agencyId').selectOption({ label: `${agency} (${agency === 'Policja' ? 'PL' : 'UA'})` }, { timeout: 3000 });
      await admin.getByRole('button', { name: 'Create invitation link' }).click();
      await admin.getByText(`Invitation for ${email} created`).waitFor();
      links[key] = (await admin.getByTestId('invitation-link').textContent())!.trim();
    }
    await shot(admin, 'admin');
    await accessible(admin, 'admin');
  }, 90_000);

  it('everyone enrols with a passkey from their invitation link', async () => {
    photographFailures('step2');
    anna = await person();
    piotr = await person();
    ncbUa = await person();
    compliance = await person();
    await enrol(anna, links.anna!);
    await enrol(piotr, links.piotr!);
    await enrol(ncbUa, links.ncbUa!);
    await enrol(compliance, links.compliance!);
    await anna.getByRole('heading', { name: 'My urgent contacts' }).waitFor();
    await ncbUa.getByRole('heading', { name: /Notifications/ }).waitFor();
  }, 60_000);

  it('an investigator opens an urgent contact on threat to life, signed with the passkey; the NCB sees it live', async () => {
    photographFailures('step3');
    await ncbUa.locator('.live.on').waitFor();
    await anna.getByRole('link', { name: 'Open urgent contact' }).first().click();
    await anna.getByLabel(/Threat to life or health/).check();
    await anna.locator('#narrative').fill('Too short');
    await anna.getByText('more characters needed').waitFor();
    await anna.locator('#narrative').fill('A kidnapped girl is being driven towards the Polish border tonight; an MLA request would take weeks.');
    await anna.locator('#caseReference').fill('UA-2026-0042');
    await anna.locator('#offenceCategory').fill('Kidnapping');
    await anna.locator('#requestedCountry').selectOption('PL');
    await anna.getByLabel('Piotr Nowak').check();
    await anna.locator('#soughtInformation').fill('Last known location of the car with plates AA1234BB.');
    // The draft survives a reload.
    await anna.reload();
    expect(await anna.locator('#caseReference').inputValue()).toBe('UA-2026-0042');
    await anna.getByLabel(/H1 — not for use as evidence/).check();
    await anna.getByRole('button', { name: 'Sign with passkey and open contact' }).click();
    await anna.waitForURL(/\/contacts\//);
    await anna.getByRole('heading', { name: /UA-2026-0042/ }).waitFor();
    await anna.locator('#message').fill('Silver Skoda, plates AA1234BB, left Lviv 20 min ago.');
    await anna.getByRole('button', { name: 'Send' }).click();
    await anna.getByText('Silver Skoda, plates AA1234BB').waitFor();

    // The NCB's live inbox shows it without a reload, with the count in the tab title.
    await ncbUa.getByText('UA-2026-0042').waitFor();
    await expect.poll(() => ncbUa.title()).toContain('(1)');
  }, 60_000);

  it('the counterpart reads the decrypted message and replies with a photo', async () => {
    photographFailures('step4');
    // No reload: the new contact appears in the counterpart's list as its first message arrives.
    await piotr.getByRole('link', { name: /UA-2026-0042/ }).click();
    await piotr.getByText('Silver Skoda, plates AA1234BB, left Lviv 20 min ago.').waitFor();
    await piotr.getByRole('button', { name: 'I acknowledge the handling code' }).click();
    await piotr.getByText('you acknowledged this').waitFor();
    await piotr.locator('#message').fill('Car seen at the Korczowa crossing. Photo attached.');
    // Too large an attachment: a clear error beside the composer, and nothing typed is lost.
    await piotr.locator('input[type=file]').setInputFiles({ name: 'video.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(1_200_000) });
    await piotr.getByRole('button', { name: 'Send' }).click();
    await piotr.getByText(/attachment exceeds the limit/).waitFor();
    expect(await piotr.locator('#message').inputValue()).toBe('Car seen at the Korczowa crossing. Photo attached.');
    await piotr.getByRole('button', { name: 'Remove video.mp4' }).click();
    await piotr.locator('input[type=file]').setInputFiles({ name: 'crossing.png', mimeType: 'image/png', buffer: PNG });
    await piotr.getByRole('button', { name: 'Send' }).click();
    await piotr.getByText('Car seen at the Korczowa crossing').waitFor();
    // Back at the sender: the reply, and the photo decrypted in the browser and previewed.
    await anna.getByText('Car seen at the Korczowa crossing. Photo attached.').waitFor();
    await anna.locator('.attachment img[alt="crossing.png"]').waitFor();
    await anna.getByText(/Read by Piotr Nowak|Delivered to/).first().waitFor();
    // Safety numbers: the same on both sides.
    await anna.getByRole('button', { name: 'Show safety numbers' }).click();
    await piotr.getByRole('button', { name: 'Show safety numbers' }).click();
    const annaSees = await anna.locator('p', { hasText: 'With Piotr Nowak' }).locator('.fingerprint').textContent();
    const piotrSees = await piotr.locator('p', { hasText: 'With Anna Kovalenko' }).locator('.fingerprint').textContent();
    expect(annaSees).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(annaSees).toBe(piotrSees);
    // The formal request: edit its text, mark it drafted, record its submission.
    await anna.getByRole('button', { name: 'Edit the request text' }).click();
    await anna.locator('#measures').fill('Subscriber data and cell location for AA1234BB’s driver phone.');
    await anna.getByRole('button', { name: 'Save draft' }).click();
    await anna.getByRole('button', { name: 'Mark drafted' }).click();
    await anna.locator('.formal select').selectOption('central_authority');
    await anna.locator('.formal input').fill('MoJ-UA/2026/117');
    await anna.getByRole('button', { name: 'Record submission' }).click();
    await anna.getByText(/Submitted .* via central_authority \(ref\. MoJ-UA\/2026\/117\)/).waitFor();
    await shot(anna, 'investigator');
    await accessible(anna, 'investigator');
    await anna.setViewportSize({ width: 390, height: 844 });
    await shot(anna, 'investigator-phone');
  }, 60_000);

  it('the NCB acknowledges from its inbox', async () => {
    photographFailures('step5');
    await ncbUa.getByRole('button', { name: 'Acknowledge' }).click();
    await ncbUa.getByText(/acknowledged/).first().waitFor();
    await expect.poll(() => ncbUa.title()).toBe('Exigent');
    await shot(ncbUa, 'ncb');
    await accessible(ncbUa, 'ncb');
  }, 30_000);

  it('compliance reviews the case, records a decision and exports the queue — without message content', async () => {
    photographFailures('step6');
    await compliance.reload();
    await compliance.getByRole('link', { name: 'UA-2026-0042' }).click();
    await compliance.getByTestId('signature-status').getByText('Passkey signature verified').waitFor();
    const casePage = await compliance.locator('main').textContent();
    expect(casePage).not.toContain('Silver Skoda');
    // The case's verifiable export, downloaded from the page, proves the contact with nothing but the log's key.
    const exportDownload = compliance.waitForEvent('download');
    await compliance.getByTestId('case-log-export').click();
    const exported = readFileSync((await (await exportDownload).path())!, 'utf8');
    expect(exported).not.toContain('Silver Skoda');
    const vkey = await (await fetch(`${server.url}/api/v1/log/key`, { headers: { accept: 'text/plain' } })).text();
    const verdict = await verifyExport(exported, { logKey: vkey.trim() });
    expect(verdict.failures).toEqual([]);
    expect(verdict.justificationsVerified).toBe(1);
    await compliance.getByLabel('Comment').fill('Life at risk; both NCBs informed.');
    await compliance.getByRole('button', { name: 'Record decision' }).click();
    await compliance.getByText('Decision recorded in the log.').waitFor();
    await shot(compliance, 'compliance-case');
    await accessible(compliance, 'compliance-case');
    await compliance.getByRole('link', { name: 'Review queue' }).click();
    const download = compliance.waitForEvent('download');
    await compliance.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv).toContain('UA-2026-0042');
    expect(csv).toContain('justified');
    expect(csv).not.toContain('Silver Skoda');
    await compliance.getByRole('link', { name: 'Statistics & log' }).click();
    await compliance.getByText('log checkpoint verified in your browser').waitFor();
    await compliance.locator('canvas').first().waitFor();
    await shot(compliance, 'compliance-statistics');
    await accessible(compliance, 'compliance-statistics');
  }, 60_000);
});
