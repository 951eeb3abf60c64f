// Input the probe of issue 17 sent, on Node and inside workerd: dates outside a sane range are refused with a clear
// 422 and nothing is saved. A scenario: tests/http/inputHardening.test.ts (Node) and tests/worker/inputHardening.test.ts.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formalRequests } from '../../src/formal-requests/tables';
import type { ApiResponse } from '../support/apiClient';
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
  });
}
