// Compliance review over real HTTP on a seeded history (three contacts, three countries, late and missing NCB
// acknowledgements, an overdue request): decisions and revisions, the needs-information round trip, statistics
// checked against hand-computed figures, exports that parse back, a signed report tied to the log — and no
// message content or ciphertext anywhere compliance can reach.
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHash, type SignedReport } from '../../src/compliance/report';
import { openNote, parseCheckpoint, parseVerifierKey, leafHash, verifyInclusion } from '../../src/audit-log/tlog';
import { fromBase64, toBase64 } from '../../src/crypto/base64url';
import type { manualClock } from '../../src/clock';
import { nodeOutboxTransports } from '../../src/runtime/node/smtpMailer';
import { messages } from '../../src/relay/tables';
import { runDueWork } from '../../src/scheduler/runDueWork';
import { ApiClient } from '../support/apiClient';
import { newDevice } from '../support/devices';
import { enrolFirstAdmin, invite, login, seedDirectory, type Person } from '../support/people';
import { startTestServer, type TestServer } from '../support/testServer';
import { draftFor, openContact } from '../support/urgent';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 2, 9, 0); // Monday 2 November 2026, 09:00 UTC (ISO week 45)
const MARKER = `MESSAGE-MARKER-${crypto.randomUUID()}`;

let server: TestServer;
let clock: ReturnType<typeof manualClock>;
let admin: Person, anna: Person, ivan: Person, piotr: Person, hans: Person, ncbUa: Person, ncbPl: Person, ncbDe: Person, compliance: Person;
const ids: { c1: string; c2: string; c3: string; fr1: string; fr2: string; fr3: string } = {} as never;
let ciphertextSample = '';

const tick = () => runDueWork(server.services, nodeOutboxTransports(server.services.config));
const at = async (time: number) => {
  clock.set(time);
  await tick();
};
async function open(investigator: Person, counterpart: Person, overrides: Record<string, unknown>) {
  const res = await openContact(investigator, draftFor(counterpart, overrides));
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; formalRequestId: string; notificationIds: string[]; conversationId: string };
}
async function ack(officer: Person, contactId: string) {
  const inbox = await officer.client.get('/api/v1/ncb/notifications');
  const n = inbox.body.notifications.find((x: { urgentContactId: string }) => x.urgentContactId === contactId);
  expect((await officer.client.post(`/api/v1/ncb/notifications/${n.id}/acknowledge`)).status).toBe(200);
}
async function submit(investigator: Person, formalRequestId: string) {
  expect((await investigator.client.post(`/api/v1/formal-requests/${formalRequestId}/transitions`, { to: 'drafted' })).status).toBe(200);
  const res = await investigator.client.post(`/api/v1/formal-requests/${formalRequestId}/transitions`, { to: 'submitted', channel: 'central_authority', channelReference: 'REF-1' });
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer({ manualTime: true, env: { EXIGENT_SESSION_IDLE_MINUTES: '100000', EXIGENT_SESSION_MAX_HOURS: '720' } });
  clock = server.services.clock as ReturnType<typeof manualClock>;
  clock.set(T0 - HOUR);
  admin = await enrolFirstAdmin(server);
  const { agencies } = await seedDirectory(admin);
  expect((await admin.client.post('/api/v1/countries', { code: 'DE', name: 'Germany' })).status).toBe(201);
  const policeDe = (await admin.client.post('/api/v1/agencies', { name: 'Bundeskriminalamt', countryCode: 'DE', kind: 'police', dutyEmail: null })).body.id;
  const ncbDeId = (await admin.client.post('/api/v1/agencies', { name: 'NCB Wiesbaden', countryCode: 'DE', kind: 'ncb', dutyEmail: null })).body.id;
  anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
  ivan = await invite(admin, { email: 'ivan@police.ua', displayName: 'Ivan', role: 'investigator', agencyId: agencies.policeA });
  piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
  hans = await invite(admin, { email: 'hans@bka.de', displayName: 'Hans', role: 'investigator', agencyId: policeDe });
  ncbUa = await invite(admin, { email: 'o@ncb.ua', displayName: 'NCB UA', role: 'ncb_officer', agencyId: agencies.ncbA });
  ncbPl = await invite(admin, { email: 'o@ncb.pl', displayName: 'NCB PL', role: 'ncb_officer', agencyId: agencies.ncbB });
  ncbDe = await invite(admin, { email: 'o@ncb.de', displayName: 'NCB DE', role: 'ncb_officer', agencyId: ncbDeId });
  compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });

  // c1: UA→PL, threat to life. NCB UA acknowledges after 5 min, NCB PL after 20 (escalated at 15). Submitted after 30 h.
  await at(T0);
  const c1 = await open(anna, piotr, { caseReference: 'UA-1', grounds: ['threat_to_life'] });
  await at(T0 + 5 * MINUTE);
  await ack(ncbUa, c1.id);
  await at(T0 + 15 * MINUTE);
  await at(T0 + 20 * MINUTE);
  await ack(ncbPl, c1.id);
  // Messages in c1, with a marker compliance must never see.
  const a = await newDevice(anna, 'Anna desk');
  const p = await newDevice(piotr, 'Piotr desk');
  await a.sendText(c1.conversationId, `the suspect is ${MARKER}`);
  const [stored] = await server.services.database.db.select().from(messages).where(eq(messages.conversationId, c1.conversationId));
  ciphertextSample = (JSON.parse(stored!.envelope!) as { ciphertext: string }).ciphertext.slice(0, 40);
  await p.sync();
  await p.sendText(c1.conversationId, `understood ${MARKER}`);
  await a.sync();

  // c2: UA→PL, loss of evidence + flight risk, 8-hour instrument. NCB UA after 10 min; NCB PL never (escalates twice). Goes overdue.
  await at(T0 + 24 * HOUR);
  const c2 = await open(anna, piotr, { caseReference: 'UA-2', grounds: ['loss_of_evidence', 'flight_risk'], legalInstrument: 'eu_eevidence_emergency' });
  await at(T0 + 24 * HOUR + 10 * MINUTE);
  await ack(ncbUa, c2.id);
  await at(T0 + 24 * HOUR + 15 * MINUTE);
  await at(T0 + 24 * HOUR + 30 * MINUTE);
  await at(T0 + 30 * HOUR);
  await submit(anna, c1.formalRequestId);
  await at(T0 + 24 * HOUR + 8 * HOUR + MINUTE);

  // c3: DE→PL (next week), flight risk. NCB DE after 2 min; NCB PL after 40 (escalated at 15 and 30). Submitted after 100 h.
  await at(T0 + 8 * 24 * HOUR);
  const c3 = await open(hans, piotr, { caseReference: 'DE-3', grounds: ['flight_risk'] });
  await at(T0 + 8 * 24 * HOUR + 2 * MINUTE);
  await ack(ncbDe, c3.id);
  await at(T0 + 8 * 24 * HOUR + 15 * MINUTE);
  await at(T0 + 8 * 24 * HOUR + 30 * MINUTE);
  await at(T0 + 8 * 24 * HOUR + 40 * MINUTE);
  await ack(ncbPl, c3.id);
  await at(T0 + 8 * 24 * HOUR + 100 * HOUR);
  await submit(hans, c3.formalRequestId);
  Object.assign(ids, { c1: c1.id, c2: c2.id, c3: c3.id, fr1: c1.formalRequestId, fr2: c2.formalRequestId, fr3: c3.formalRequestId });
});
afterAll(async () => server.stop());

const queue = async (query = '') => {
  const res = await compliance.client.get(`/api/v1/compliance/contacts${query}`);
  expect(res.status, res.text).toBe(200);
  return (res.body.contacts as Array<{ id: string }>).map((c) => c.id).sort();
};
const sorted = (...xs: string[]) => [...xs].sort();

describe('review flow', () => {
  it('records decisions, the needs-information round trip and a revision, all logged', async () => {
    const decide = (id: string, body: Record<string, unknown>) => compliance.client.post(`/api/v1/compliance/contacts/${id}/decisions`, body);
    expect((await decide(ids.c1, { decision: 'justified', comment: 'Life at risk, NCBs informed in time.' })).status).toBe(201);
    expect((await decide(ids.c2, { decision: 'not_justified', comment: 'Preservation order would have sufficed.' })).status).toBe(201);
    const noQuestion = await decide(ids.c3, { decision: 'needs_information', comment: 'Unclear flight risk.' });
    expect(noQuestion.status).toBe(422);
    expect(noQuestion.body.errors[0].field).toBe('question');
    expect((await decide(ids.c3, { decision: 'needs_information', comment: 'Unclear flight risk.', question: 'What showed he was about to leave?' })).status).toBe(201);

    const seen = await hans.client.get(`/api/v1/urgent-contacts/${ids.c3}/reviews`);
    expect(seen.body.decisions).toMatchObject([{ decision: 'needs_information', question: 'What showed he was about to leave?' }]);
    expect((await piotr.client.post(`/api/v1/urgent-contacts/${ids.c3}/answers`, { answer: 'I am only the counterpart' })).status).toBe(403);
    expect((await hans.client.post(`/api/v1/urgent-contacts/${ids.c3}/answers`, { answer: 'He bought a one-way ticket for the same night.' })).status).toBe(201);
    expect((await decide(ids.c3, { decision: 'justified', comment: 'Ticket shows imminent flight.' })).status).toBe(201);
    const history = (await compliance.client.get(`/api/v1/urgent-contacts/${ids.c3}/reviews`)).body.decisions;
    expect(history.map((d: { decision: string }) => d.decision)).toEqual(['needs_information', 'justified']);
    expect(history[0].answers[0].answer).toBe('He bought a one-way ticket for the same night.');
    expect(await queue('?reviewStatus=justified')).toEqual(sorted(ids.c1, ids.c3));

    // Provable from the log: each decision is a leaf with a valid inclusion proof under a signed checkpoint.
    const checkpoint = (await compliance.client.post('/api/v1/log/checkpoint')).body;
    const entries = (await compliance.client.get(`/api/v1/log/entries?from=0&to=${checkpoint.size}`)).body as Array<{ index: number; type: string; data: string }>;
    const decisions = entries.filter((e) => e.type === 'compliance.decision');
    expect(decisions.map((e) => JSON.parse(e.data).details.decision)).toEqual(['justified', 'not_justified', 'needs_information', 'justified']);
    expect(entries.filter((e) => e.type === 'compliance.information_provided')).toHaveLength(1);
    const last = decisions.at(-1)!;
    const proof = (await compliance.client.get(`/api/v1/log/entries/${last.index}?treeSize=${checkpoint.size}`)).body;
    const included = verifyInclusion({
      leafHash: leafHash(new TextEncoder().encode(last.data)),
      index: last.index,
      size: checkpoint.size,
      proof: proof.inclusion.proof.map(fromBase64),
      root: fromBase64(checkpoint.rootHash),
    });
    expect(included).toBe(true);
  });

  it('refuses a reviewer who took part in the contact, and non-compliance roles', async () => {
    // Well after the seeded period, so the period's figures stay as computed by hand.
    clock.set(T0 + 20 * 24 * HOUR);
    const c4 = await open(ivan, piotr, { caseReference: 'UA-4' });
    const moved = await admin.client.patch(`/api/v1/users/${ivan.user.id}/role`, { role: 'compliance', agencyId: (await admin.client.get('/api/v1/agencies')).body.find((x: { kind: string }) => x.kind === 'oversight').id });
    expect(moved.status, moved.text).toBe(200);
    // A role change ends the user's sessions: Ivan signs in again, now as compliance.
    ivan = { ...ivan, client: await login(ivan) };
    const self = await ivan.client.post(`/api/v1/compliance/contacts/${c4.id}/decisions`, { decision: 'justified', comment: 'Looks fine to me, honestly.' });
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/took part/);
    expect((await ivan.client.post(`/api/v1/compliance/contacts/${ids.c1}/decisions`, { decision: 'justified', comment: 'Independent second look.' })).status).toBe(201);
    expect((await ncbUa.client.post(`/api/v1/compliance/contacts/${ids.c1}/decisions`, { decision: 'justified', comment: 'NCB cannot decide this' })).status).toBe(403);
    expect((await anna.client.get('/api/v1/compliance/contacts')).status).toBe(403);
    // Investigators see review decisions of their own contacts only.
    expect((await anna.client.get(`/api/v1/urgent-contacts/${ids.c1}/reviews`)).status).toBe(200);
    expect((await hans.client.get(`/api/v1/urgent-contacts/${ids.c1}/reviews`)).status).toBe(404);
  });
});

describe('queue, filters and the case view', () => {
  it('filters by status, ground, country, agency, investigator, dates, overdue, unacknowledged and escalated', async () => {
    const period = '&from=2026-11-01&to=2026-11-15';
    expect(await queue(`?ground=flight_risk${period}`)).toEqual(sorted(ids.c2, ids.c3));
    expect(await queue(`?country=DE${period}`)).toEqual([ids.c3]);
    expect(await queue(`?investigatorId=${hans.user.id}`)).toEqual([ids.c3]);
    expect(await queue(`?overdue=true${period}`)).toEqual([ids.c2]);
    expect(await queue(`?unacknowledged=true${period}`)).toEqual([ids.c2]);
    expect(await queue(`?escalated=true${period}`)).toEqual(sorted(ids.c1, ids.c2, ids.c3));
    expect(await queue('?reviewStatus=not_justified')).toEqual([ids.c2]);
    expect(await queue('?from=2026-11-02&to=2026-11-03')).toEqual(sorted(ids.c1, ids.c2));
    expect(await queue(`?agencyId=${hans.user.agencyId}`)).toEqual([ids.c3]);
    expect((await compliance.client.get('/api/v1/compliance/contacts?from=yesterday')).status).toBe(400);
  });

  it('shows a case with a re-verified signature, NCB times and message metadata only', async () => {
    const res = await compliance.client.get(`/api/v1/compliance/contacts/${ids.c1}`);
    expect(res.status).toBe(200);
    expect(res.body.signature).toMatchObject({ valid: true });
    expect(res.body.record.messages).toMatchObject({ count: 2 });
    expect(res.body.record.notifications.map((n: { acknowledgedAt: number; createdAt: number }) => (n.acknowledgedAt - n.createdAt) / MINUTE).sort()).toEqual([20, 5]);
    expect(res.body.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['urgent_contact.opened', 'ncb.notified', 'ncb.acknowledged', 'ncb.escalated', 'formal_request.state_changed', 'compliance.decision']),
    );
    // NCB officers read their own country's cases only.
    expect((await ncbUa.client.get(`/api/v1/compliance/contacts/${ids.c1}`)).status).toBe(200);
    expect((await ncbUa.client.get(`/api/v1/compliance/contacts/${ids.c3}`)).status).toBe(404);
    expect((await ncbUa.client.get('/api/v1/compliance/contacts?from=2026-11-01&to=2026-11-15')).body.contacts.map((c: { id: string }) => c.id).sort()).toEqual(sorted(ids.c1, ids.c2));
  });
});

describe('statistics', () => {
  it('match the hand-computed figures for the seeded period', async () => {
    const res = await compliance.client.get('/api/v1/compliance/statistics?from=2026-11-01&to=2026-11-15');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      contacts: 3,
      byGround: { threat_to_life: 1, loss_of_evidence: 1, flight_risk: 2 },
      byCountryPair: { 'UA→PL': 2, 'DE→PL': 1 },
      byAgency: { 'National Police of Ukraine': 2, Bundeskriminalamt: 1 },
      // Acknowledgement minutes 2, 5, 10, 20, 40 (nearest rank): median 10, p90 40; NCB PL never acknowledged c2.
      ncbAcknowledgement: { acknowledged: 5, unacknowledged: 1, escalated: 3, medianMinutes: 10, p90Minutes: 40 },
      // Submitted after 30 h (c1) and 100 h (c3).
      formalRequestSubmission: { submitted: 2, medianHours: 30, p90Hours: 100 },
      overdue: { count: 1, share: 0.333 },
      review: { reviewed: 3, justified: 2, notJustified: 1, needsInformation: 0, unreviewed: 0, notJustifiedShare: 0.333 },
      byWeek: [
        { week: '2026-W45', contacts: 2 },
        { week: '2026-W46', contacts: 1 },
      ],
      // Every row still agrees with the justification its investigator signed in the log.
      recordsDisagreeingWithLog: 0,
    });
  });
});

describe('exports and the signed report', () => {
  it('CSV and JSON Lines parse back to the same records', async () => {
    const period = 'from=2026-11-01&to=2026-11-15';
    const records = (await compliance.client.get(`/api/v1/compliance/contacts?${period}`)).body.contacts as Array<Record<string, any>>;
    const csv = await compliance.client.get(`/api/v1/compliance/export?format=csv&${period}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.id)).toEqual(records.map((r) => r.id));
    for (const [i, row] of rows.entries()) {
      const r = records[i]!;
      expect(row).toMatchObject({
        requesting_country: r.requestingCountry,
        requested_country: r.requestedCountry,
        grounds: r.grounds.join('; '),
        narrative: r.narrative,
        case_reference: r.caseReference,
        review_status: r.review.status,
        message_count: String(r.messages.count),
        justification_sha256: r.justificationHash,
        opened_at: new Date(r.openedAt).toISOString(),
      });
    }
    const jsonl = await compliance.client.get(`/api/v1/compliance/export?format=jsonl&${period}`);
    expect(jsonl.text.trim().split('\n').map((l) => JSON.parse(l))).toEqual(records);
  });

  it('the report is signed by the log key and names a checkpoint that verifies', async () => {
    const { verifierKey } = (await new ApiClient(server.url).get('/api/v1/log/key')).body;
    const verifier = parseVerifierKey(verifierKey);
    const res = await compliance.client.get('/api/v1/compliance/report?format=json&from=2026-11-01&to=2026-11-15');
    const signed = res.body as SignedReport;
    expect(signed.report.statistics.contacts).toBe(3);
    expect(reportHash(signed.report)).toBe(signed.reportHash);
    const { text } = await openNote(signed.signedNote, verifier);
    expect(text).toBe(`exigent-compliance-report/v1\n${signed.reportHash}\n`);
    const checkpoint = parseCheckpoint((await openNote(signed.report.checkpoint.note, verifier)).text);
    expect(checkpoint.size).toBe(signed.report.checkpoint.size);
    expect(toBase64(checkpoint.rootHash)).toBe(signed.report.checkpoint.rootHash);
    // A tampered figure breaks the hash the signature covers.
    expect(reportHash({ ...signed.report, statistics: { ...signed.report.statistics, contacts: 2 } })).not.toBe(signed.reportHash);
    const pdf = await fetch(`${server.url}/api/v1/compliance/report?from=2026-11-01&to=2026-11-15`, { headers: compliance.client.socketHeaders() });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('no message content for compliance', () => {
  it('no compliance route returns the plaintext marker or any ciphertext', async () => {
    const bodies: string[] = [];
    for (const path of [
      '/api/v1/compliance/contacts',
      `/api/v1/compliance/contacts/${ids.c1}`,
      '/api/v1/compliance/statistics',
      '/api/v1/compliance/export?format=csv',
      '/api/v1/compliance/export?format=jsonl',
      '/api/v1/compliance/report?format=json',
      `/api/v1/urgent-contacts/${ids.c1}/reviews`,
      '/api/v1/log/export?from=0',
      '/api/v1/log/entries?from=0&to=10000',
    ]) {
      const res = await compliance.client.get(path);
      expect(res.status, path).toBe(200);
      bodies.push(res.text);
    }
    expect(ciphertextSample.length).toBe(40);
    for (const body of bodies) {
      expect(body).not.toContain(MARKER);
      expect(body).not.toContain(ciphertextSample);
    }
    // Compliance cannot reach the relay at all.
    expect((await compliance.client.get(`/api/v1/conversations/${ids.c1}`)).status).toBe(403);
  });
});
