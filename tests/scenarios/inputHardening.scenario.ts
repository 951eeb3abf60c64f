// Input the probe of issue 17 sent, on Node and inside workerd: dates outside a sane range, and names or free text
// carrying control or bidirectional-override characters, are refused with a clear 422 and nothing is saved; accepted
// text is NFC-normalised. A scenario: tests/http/inputHardening.test.ts (Node) and tests/worker/inputHardening.test.ts.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteVerifierKey } from '../../src/audit-log/tlog';
import { formalRequests } from '../../src/formal-requests/tables';
import { ApiClient, type ApiResponse } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { draftFor, openContact } from '../support/urgent';

const YEAR = 365.25 * 24 * 60 * 60_000;

function expectRefusal(res: ApiResponse, status: number, field: string, detail: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.errors?.map((e: { field: string }) => e.field) ?? [res.body.field]).toContain(field);
  expect(res.body.detail).toMatch(detail);
}

export function inputHardeningScenario(start: StartHarness) {
  describe('input hardening (issue 17)', () => {
    let server: Harness;
    let admin: Person, anna: Person, piotr: Person, ncbPl: Person, compliance: Person;
    let agencies: Directory['agencies'];
    let contact: { id: string; conversationId: string; formalRequestId: string };

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      ({ agencies } = await seedDirectory(admin));
      anna = await invite(admin, { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agencyId: agencies.policeA });
      piotr = await invite(admin, { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agencyId: agencies.policeB });
      ncbPl = await invite(admin, { email: 'officer@ncb.pl', displayName: 'NCB officer PL', role: 'ncb_officer', agencyId: agencies.ncbB });
      compliance = await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight });
      const opened = await openContact(anna, draftFor(piotr));
      expect(opened.status, opened.text).toBe(201);
      contact = opened.body;
    });
    afterAll(async () => server.stop());

    describe('dates', () => {
      const deadline = async () =>
        (await server.services.database.db.select({ at: formalRequests.deadlineAt }).from(formalRequests).where(eq(formalRequests.id, contact.formalRequestId)))[0]!.at;

      it.each([
        ['beyond JavaScript dates', 9e15],
        ['more than ten years ahead', Date.now() + 11 * YEAR],
        ['before 2000', Date.UTC(1999, 11, 31)],
      ])('refuses a deadline %s with a 422 naming the range, and keeps the old one', async (_, deadlineAt) => {
        const before = await deadline();
        const res = await ncbPl.client.patch(`/api/v1/formal-requests/${contact.formalRequestId}`, { deadlineAt });
        expectRefusal(res, 422, 'deadlineAt', /between 2000-01-01 and \d{4}-\d{2}-\d{2}/);
        expect(await deadline()).toBe(before);
      });

      it('still accepts a deadline inside the range', async () => {
        const deadlineAt = Date.now() + 30 * 24 * 60 * 60_000;
        const res = await ncbPl.client.patch(`/api/v1/formal-requests/${contact.formalRequestId}`, { deadlineAt });
        expect(res.status, res.text).toBe(200);
        expect(await deadline()).toBe(deadlineAt);
      });

      it('refuses a submission date beyond JavaScript dates with a 422', async () => {
        expect((await anna.client.post(`/api/v1/formal-requests/${contact.formalRequestId}/transitions`, { to: 'drafted' })).status).toBe(200);
        const res = await anna.client.post(`/api/v1/formal-requests/${contact.formalRequestId}/transitions`, {
          to: 'submitted',
          channel: 'central_authority',
          channelReference: 'REF-1',
          submittedAt: 8.7e15,
        });
        expectRefusal(res, 422, 'submittedAt', /between 2000-01-01 and/);
      });

      it.each([
        ['from=2026-02-31', 'from', 400, /calendar date/],
        ['to=2026-13-01', 'to', 400, /calendar date/],
        ['from=1999-12-31', 'from', 422, /between 2000-01-01 and/],
        ['to=2999-01-01', 'to', 422, /between 2000-01-01 and/],
      ])('refuses the review filter %s', async (query, field, status, detail) => {
        for (const path of ['/api/v1/compliance/contacts', '/api/v1/compliance/statistics', '/api/v1/compliance/export', '/api/v1/compliance/report']) {
          expectRefusal(await compliance.client.get(`${path}?${query}`), status, field, detail);
        }
      });
    });

    describe('names and free text', () => {
      // What reaches CSV, PDF and the UI: NUL, line breaks, Trojan-Source reordering (CVE-2021-42574), broken UTF-16.
      const NAME_ATTACKS: Array<[string, string, RegExp]> = [
        ['NUL', 'Anna\u0000K.', /U\+0000, a control character/],
        ['CR/LF', 'Anna\r\nK.', /U\+000D, a control character/],
        ['a tab', 'Anna\tK.', /U\+0009, a control character/],
        ['a right-to-left override', 'Anna \u202Egpj.exe', /U\+202E, a bidirectional formatting character/],
        ['a directional isolate', 'Anna \u2067K.\u2069', /U\+2067, a bidirectional formatting character/],
        ['a line separator', 'Anna\u2028K.', /U\+2028, a line separator/],
        ['an unpaired surrogate', 'Anna \uD800K.', /U\+D800, an unpaired surrogate/],
      ];
      const TEXT_ATTACKS = NAME_ATTACKS.filter(([what]) => !['CR/LF', 'a tab', 'a line separator'].includes(what));

      type Target = { what: string; who: () => ApiClient; method: string; path: () => string; body: (value: string) => object; field: string };
      const anonymous = () => new ApiClient(server.url);
      const NAME_FIELDS: Target[] = [
        { what: 'country name', who: () => admin.client, method: 'POST', path: () => '/api/v1/countries', body: (name) => ({ code: 'NO', name }), field: 'name' },
        { what: 'agency name', who: () => admin.client, method: 'POST', path: () => '/api/v1/agencies', body: (name) => ({ name, countryCode: 'UA', kind: 'police', dutyEmail: null }), field: 'name' },
        { what: 'invited display name', who: () => admin.client, method: 'POST', path: () => '/api/v1/invitations', body: (displayName) => ({ email: 'olena@police.ua', displayName, role: 'investigator', agencyId: agencies.policeA }), field: 'displayName' },
        { what: 'display name at enrolment', who: anonymous, method: 'POST', path: () => '/api/v1/auth/enrolment/options', body: (displayName) => ({ token: 'A'.repeat(43), displayName }), field: 'displayName' },
        { what: 'device name', who: () => anna.client, method: 'POST', path: () => '/api/v1/devices', body: (name) => ({ name, identityKey: 'A'.repeat(43), agreementKey: 'A'.repeat(43), signature: 'A'.repeat(86) }), field: 'name' },
        { what: 'passkey name', who: () => anna.client, method: 'PATCH', path: () => `/api/v1/me/passkeys/${passkeyId}`, body: (name) => ({ name }), field: 'name' },
        { what: 'case reference', who: () => anna.client, method: 'POST', path: () => '/api/v1/urgent-contacts/options', body: (caseReference) => draftFor(piotr, { caseReference }), field: 'caseReference' },
        { what: 'offence category', who: () => anna.client, method: 'POST', path: () => '/api/v1/urgent-contacts/options', body: (offenceCategory) => draftFor(piotr, { offenceCategory }), field: 'offenceCategory' },
        { what: 'formal request authority', who: () => anna.client, method: 'PATCH', path: () => `/api/v1/formal-requests/${contact.formalRequestId}`, body: (requestingAuthority) => ({ draft: { requestingAuthority } }), field: 'draft.requestingAuthority' },
        { what: 'channel reference', who: () => anna.client, method: 'POST', path: () => `/api/v1/formal-requests/${contact.formalRequestId}/transitions`, body: (channelReference) => ({ to: 'acknowledged', channelReference }), field: 'channelReference' },
        { what: 'webhook URL', who: () => admin.client, method: 'POST', path: () => '/api/v1/webhooks', body: (v) => ({ agencyId: agencies.ncbB, url: `https://cms.ncb.example/${v}` }), field: 'url' },
        { what: 'witness name', who: () => admin.client, method: 'POST', path: () => '/api/v1/log/witnesses', body: (name) => ({ verifierKey: noteVerifierKey(name, crypto.getRandomValues(new Uint8Array(32))) }), field: 'verifierKey' },
      ];
      const TEXT_FIELDS: Target[] = [
        { what: 'narrative', who: () => anna.client, method: 'POST', path: () => '/api/v1/urgent-contacts/options', body: (v) => draftFor(piotr, { narrative: `${draftFor(piotr).narrative} ${v}` }), field: 'narrative' },
        { what: 'information sought', who: () => anna.client, method: 'POST', path: () => '/api/v1/urgent-contacts/options', body: (v) => draftFor(piotr, { soughtInformation: `Subscriber data ${v}` }), field: 'soughtInformation' },
        { what: 'handling conditions', who: () => anna.client, method: 'POST', path: () => '/api/v1/urgent-contacts/options', body: (v) => draftFor(piotr, { handlingConditions: v }), field: 'handlingConditions' },
        { what: 'formal request facts', who: () => anna.client, method: 'PATCH', path: () => `/api/v1/formal-requests/${contact.formalRequestId}`, body: (facts) => ({ draft: { facts } }), field: 'draft.facts' },
        { what: 'withdrawal reason', who: () => anna.client, method: 'POST', path: () => `/api/v1/formal-requests/${contact.formalRequestId}/transitions`, body: (reason) => ({ to: 'withdrawn', reason }), field: 'reason' },
        { what: 'review comment', who: () => compliance.client, method: 'POST', path: () => `/api/v1/compliance/contacts/${contact.id}/decisions`, body: (comment) => ({ decision: 'needs_information', comment, question: 'What happened next?' }), field: 'comment' },
        { what: 'review question', who: () => compliance.client, method: 'POST', path: () => `/api/v1/compliance/contacts/${contact.id}/decisions`, body: (question) => ({ decision: 'needs_information', comment: 'Unclear timeline here.', question }), field: 'question' },
        { what: 'answer', who: () => anna.client, method: 'POST', path: () => `/api/v1/urgent-contacts/${contact.id}/answers`, body: (answer) => ({ answer }), field: 'answer' },
        { what: 'closing reason', who: () => ncbPl.client, method: 'POST', path: () => `/api/v1/urgent-contacts/${contact.id}/close`, body: (reason) => ({ reason }), field: 'reason' },
        { what: 'disabling reason', who: () => admin.client, method: 'POST', path: () => `/api/v1/users/${piotr.user.id}/disable`, body: (reason) => ({ reason }), field: 'reason' },
      ];
      let passkeyId: string;
      beforeAll(async () => {
        passkeyId = (await anna.client.get('/api/v1/me/passkeys')).body[0].id;
      });

      for (const target of NAME_FIELDS) {
        it.each(NAME_ATTACKS)(`refuses a ${target.what} with %s`, async (_, value, detail) => {
          const res = await target.who().request(target.method, target.path(), target.body(value));
          expectRefusal(res, 422, target.field, detail);
          expect(res.body.detail).toMatch(/control characters.*bidirectional formatting characters/);
        });
      }

      for (const target of TEXT_FIELDS) {
        it.each(TEXT_ATTACKS)(`refuses a ${target.what} with %s`, async (_, value, detail) => {
          expectRefusal(await target.who().request(target.method, target.path(), target.body(value)), 422, target.field, detail);
        });
      }

      it('stores names in NFC, so the same name typed two ways is one name', async () => {
        const decomposed = 'Policie\u0301 Fe\u0301de\u0301rale';
        const created = await admin.client.post('/api/v1/agencies', { name: decomposed, countryCode: 'PL', kind: 'police', dutyEmail: null });
        expect(created.status, created.text).toBe(201);
        expect(created.body.name).toBe('Policié Fédérale');
        expect(created.body.name).toBe(decomposed.normalize('NFC'));
      });

      it('keeps line breaks and tabs in free text, with line endings as LF', async () => {
        const res = await anna.client.patch(`/api/v1/formal-requests/${second.formalRequestId}`, { draft: { facts: 'First line.\r\n\tSecond line.\rThird line.' } });
        expect(res.status, res.text).toBe(200);
        expect(res.body.draft.facts).toBe('First line.\n\tSecond line.\nThird line.');
      });

      let second: { formalRequestId: string };
      beforeAll(async () => {
        const opened = await openContact(anna, draftFor(piotr, { caseReference: 'UA-2026-0099' }));
        expect(opened.status, opened.text).toBe(201);
        second = opened.body;
      });
    });
  });
}
