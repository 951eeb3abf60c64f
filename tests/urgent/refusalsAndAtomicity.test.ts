// What an urgent contact refuses to be opened with, and that its e-mails survive a crash of the process (a Node
// process restarting on its SQLite file: workerd has no such crash to stage). That it is all-or-nothing under
// injected faults is the atomicity scenario (tests/scenarios/atomicity.scenario.ts), run on both runtimes.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOutboxTransports } from '../../src/runtime/node/smtpMailer';
import { runDueWork } from '../../src/scheduler/runDueWork';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';
import { startSmtpSink } from '../support/sinks';
import { startTestServer, type TestServer } from '../support/testServer';
import { draftFor, openContact, type Draft } from '../support/urgent';

let server: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let anna: Person, olga: Person, piotr: Person, ncbPl: Person;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ env: { EXIGENT_SMTP_URL: smtp.url } });
  const admin = await enrolFirstAdmin(server);
  const { agencies } = await seedDirectory(admin);
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  olga = await invite(admin, { email: 'olga@police.ua', displayName: 'Olga', role: 'investigator', agencyId: agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB PL', role: 'ncb_officer', agencyId: agencies.ncbB });
  const webhook = await admin.client.post('/api/v1/webhooks', { agencyId: agencies.ncbB, url: 'http://127.0.0.1:9/never-called' });
  expect(webhook.status).toBe(201);
});
afterAll(async () => {
  await server.stop();
  await smtp.close();
});

describe('refusals', () => {
  const prepare = (person: Person, draft: unknown) => person.client.post('/api/v1/urgent-contacts/options', draft);
  const fieldOf = (res: { body: { errors?: Array<{ field: string }> } }) => res.body.errors?.map((e) => e.field);

  it.each<[string, (d: Draft) => unknown, number, string]>([
    ['no ground', (d) => ({ ...d, grounds: [] }), 400, 'grounds'],
    ['an unknown ground', (d) => ({ ...d, grounds: ['curiosity'] }), 400, 'grounds.0'],
    ['a short narrative', (d) => ({ ...d, narrative: 'It is urgent.' }), 400, 'narrative'],
    ['an H3 code without conditions', (d) => ({ ...d, handlingCode: 'H3' }), 422, 'handlingConditions'],
    ['an unknown legal instrument', (d) => ({ ...d, legalInstrument: 'gentlemens_agreement' }), 422, 'legalInstrument'],
    ['the own country as requested country', (d) => ({ ...d, requestedCountry: 'UA', counterpartUserIds: [olga.user.id] }), 422, 'requestedCountry'],
  ])('refuses %s with a problem naming the field', async (_name, change, status, field) => {
    const res = await prepare(anna, change(draftFor(piotr)));
    expect(res.status, res.text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldOf(res)).toContain(field);
  });

  it('refuses a counterpart of the own country and a counterpart who is not an investigator', async () => {
    const sameCountry = await prepare(anna, draftFor(piotr, { counterpartUserIds: [olga.user.id] }));
    expect(sameCountry.status).toBe(422);
    expect(sameCountry.body.detail).toMatch(/Olga works in UA, not in the requested country PL/);
    const notInvestigator = await prepare(anna, draftFor(piotr, { counterpartUserIds: [ncbPl.user.id] }));
    expect(notInvestigator.status).toBe(422);
    expect(notInvestigator.body.detail).toMatch(/not an investigator/);
  });

  it('refuses a non-investigator', async () => {
    expect((await prepare(ncbPl, draftFor(piotr))).status).toBe(403);
  });

  it('refuses an assertion that signed a different justification, and a replayed assertion', async () => {
    const first = await prepare(anna, draftFor(piotr));
    const second = await prepare(anna, draftFor(piotr, { narrative: `${draftFor(piotr).narrative} Also his accomplice.` }));
    const signedSecond = await anna.authenticator.getAssertion(second.body.options);
    const mismatch = await anna.client.post('/api/v1/urgent-contacts', { challengeId: first.body.challengeId, response: signedSecond });
    expect(mismatch.status, mismatch.text).toBe(401);
    expect(mismatch.body.detail).toMatch(/challenge/i);

    const third = await prepare(anna, draftFor(piotr));
    const signed = await anna.authenticator.getAssertion(third.body.options);
    expect((await anna.client.post('/api/v1/urgent-contacts', { challengeId: third.body.challengeId, response: signed })).status).toBe(201);
    const replay = await anna.client.post('/api/v1/urgent-contacts', { challengeId: third.body.challengeId, response: signed });
    expect(replay.status).toBe(422);
    expect(replay.body.detail).toMatch(/already used/);
  });

  it('refuses to let another investigator use a prepared justification', async () => {
    const prepared = await prepare(anna, draftFor(piotr));
    const stolen = await olga.authenticator.getAssertion({ ...prepared.body.options, allowCredentials: [] });
    const res = await olga.client.post('/api/v1/urgent-contacts', { challengeId: prepared.body.challengeId, response: stolen });
    expect(res.status).toBe(422);
  });
});

describe('the outbox survives a crash', () => {
  it('e-mails written with a contact are delivered by the next process', async () => {
    const crashing = await startTestServer({ env: { EXIGENT_SMTP_URL: smtp.url } });
    const dir = crashing.dir;
    try {
      const admin = await enrolFirstAdmin(crashing);
      const { agencies } = await seedDirectory(admin);
      const a = await invite(admin, { email: 'a@police.ua', displayName: 'Ana', role: 'investigator', agencyId: agencies.policeA });
      const p = await invite(admin, { email: 'p@police.pl', displayName: 'Pawel', role: 'investigator', agencyId: agencies.policeB });
      expect((await openContact(a, draftFor(p))).status).toBe(201);
      // The process goes away before its scheduler ever ran (tests' schedulers tick hourly).
      await crashing.close();
      smtp.mails.length = 0;
      const restarted = await startTestServer({ dir, env: { EXIGENT_SMTP_URL: smtp.url } });
      try {
        const report = await runDueWork(restarted.services, nodeOutboxTransports(restarted.services.config));
        expect(report.outbox.delivered).toBe(2);
        expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(['duty-pl@ncb.test', 'duty-ua@ncb.test']);
        expect((await runDueWork(restarted.services, nodeOutboxTransports(restarted.services.config))).outbox.delivered).toBe(0);
      } finally {
        await restarted.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
