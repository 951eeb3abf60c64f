// The passkey account story over HTTP with a software authenticator: first admin, invitations, login/logout, attacks
// on the ceremonies, disabling users and managing passkeys. A scenario: it runs on Node (tests/auth/passkeyAccounts.test.ts)
// and in workerd (tests/worker/passkeyAccounts.test.ts). Tests share one installation, so each uses its own people.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TEST_ORIGIN } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, enrolWithLink, invite, login, seedDirectory, tokenFromUrl, type Directory, type Person } from '../support/people';
import { SoftAuthenticator } from '../support/webauthn/softAuthenticator';

export function passkeyAccountsScenario(start: StartHarness) {
  describe('passkey accounts', () => {
    let server: Harness;
    let admin: Person;
    let directory: Directory;

    beforeAll(async () => {
      server = await start();
      admin = await enrolFirstAdmin(server);
      directory = await seedDirectory(admin);
    });
    afterAll(async () => server.stop());

    async function inviteInvestigator(email: string): Promise<{ url: string }> {
      const res = await admin.client.post('/api/v1/invitations', { email, displayName: 'Olena K.', role: 'investigator', agencyId: directory.agencies.policeA });
      expect(res.status, res.text).toBe(201);
      return res.body;
    }

    describe('first-admin enrolment', () => {
      it('creates an active admin', async () => {
        const me = await admin.client.get('/api/v1/me');
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ role: 'admin', email: 'admin@exigent.test', status: 'active' });
      });

      it('refuses the same first-admin link a second time', async () => {
        const res = await new ApiClient(server.url).post('/api/v1/auth/enrolment/options', {
          token: tokenFromUrl(server.firstAdminUrl),
          email: 'again@exigent.test',
          displayName: 'Again',
        });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.detail).toMatch(/invalid, expired or already used/);
      });
    });

    describe('invitation → register → login → logout', () => {
      it('walks the whole path', async () => {
        const { url } = await inviteInvestigator('olena@police.ua');
        const olena = await enrolWithLink(server.url, url);
        expect(olena.user).toMatchObject({ role: 'investigator', countryCode: 'UA', email: 'olena@police.ua' });

        const second = await login(olena);
        expect((await second.get('/api/v1/me')).body.id).toBe(olena.user.id);

        expect((await second.post('/api/v1/auth/logout')).status).toBe(204);
        expect((await second.get('/api/v1/me')).status).toBe(401);
        // The first browser's session is untouched by the other's logout.
        expect((await olena.client.get('/api/v1/me')).status).toBe(200);
      });

      it('refuses a reused invitation', async () => {
        const { url } = await inviteInvestigator('reused@police.ua');
        await enrolWithLink(server.url, url);
        const again = await new ApiClient(server.url).post('/api/v1/auth/enrolment/options', { token: tokenFromUrl(url) });
        expect(again.status).toBe(404);
      });

      it('refuses an invitation whose role does not fit the agency', async () => {
        const res = await admin.client.post('/api/v1/invitations', {
          email: 'x@ncb.ua',
          displayName: 'Wrong Place',
          role: 'ncb_officer',
          agencyId: directory.agencies.policeA,
        });
        expect(res.status).toBe(422);
        expect(res.body.detail).toMatch(/requires an agency of kind ncb/);
      });
    });

    describe('attacks on the ceremonies', () => {
      it('refuses a replayed login challenge', async () => {
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await admin.authenticator.getAssertion(begin.body.options);
        expect((await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response })).status).toBe(200);
        const replay = await client.fresh().post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
        expect(replay.status).toBe(422);
        expect(replay.body.detail).toMatch(/already used/);
      });

      it('refuses an assertion made for another origin', async () => {
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await admin.authenticator.getAssertion(begin.body.options, { origin: 'https://evil.example' });
        const res = await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
        expect(res.status).toBe(401);
        expect(res.body.detail).toMatch(/origin/i);
      });

      it('refuses an assertion for another RP ID', async () => {
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await admin.authenticator.getAssertion(begin.body.options, { rpId: 'evil.example' });
        const res = await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
        expect(res.status).toBe(401);
        expect(res.body.detail).toMatch(/RP ID/i);
      });

      it('refuses a registration made for another origin', async () => {
        const { url } = await inviteInvestigator('evil@police.ua');
        const client = new ApiClient(server.url);
        const token = tokenFromUrl(url);
        const begin = await client.post('/api/v1/auth/enrolment/options', { token });
        const response = await new SoftAuthenticator({ origin: 'https://evil.example' }).createCredential(begin.body.options);
        const res = await client.post('/api/v1/auth/enrolment/complete', { token, challengeId: begin.body.challengeId, response });
        expect(res.status).toBe(422);
        // Nothing was consumed: the invitation still works for the real person.
        await enrolWithLink(server.url, url);
      });

      it('refuses a signature counter that went backwards (cloned authenticator)', async () => {
        const clone = new SoftAuthenticator({ origin: TEST_ORIGIN });
        const [credentialId] = admin.authenticator.credentialIds();
        clone.importCredential(admin.authenticator.exportCredential(credentialId!));
        await login(admin); // the original moves the counter forward
        await login(admin);
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await clone.getAssertion(begin.body.options, { counter: 1 });
        const res = await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
        expect(res.status).toBe(401);
        expect(res.body.detail).toMatch(/counter/i);
      });

      it('refuses an assertion without user verification', async () => {
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await admin.authenticator.getAssertion(begin.body.options, { userVerified: false });
        expect((await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response })).status).toBe(401);
      });

      it('refuses state-changing requests without our Origin (CSRF)', async () => {
        const cookie = `exigent_session=${admin.client.sessionCookie}`;
        const body = JSON.stringify({ code: 'DE', name: 'Germany' });
        const headers = { cookie, 'content-type': 'application/json' };
        // The raw transport, so that no Origin is added.
        const noOrigin = await ApiClient.transport.fetch(`${server.url}/api/v1/countries`, { method: 'POST', headers, body });
        expect(noOrigin.status).toBe(403);
        const evil = await ApiClient.transport.fetch(`${server.url}/api/v1/countries`, { method: 'POST', headers: { ...headers, origin: 'https://evil.example' }, body });
        expect(evil.status).toBe(403);
        expect((await admin.client.get('/api/v1/countries')).body.map((c: { code: string }) => c.code)).not.toContain('DE');
      });
    });

    describe('disabling users and managing passkeys', () => {
      it("kills a disabled user's sessions at once and refuses new logins", async () => {
        const olena = await invite(admin, { email: 'o@police.ua', displayName: 'Olena', role: 'investigator', agencyId: directory.agencies.policeA });
        expect((await olena.client.get('/api/v1/me')).status).toBe(200);
        const res = await admin.client.post(`/api/v1/users/${olena.user.id}/disable`, { reason: 'left the service' });
        expect(res.status, res.text).toBe(200);
        expect((await olena.client.get('/api/v1/me')).status).toBe(401);
        const client = new ApiClient(server.url);
        const begin = await client.post('/api/v1/auth/login/options');
        const response = await olena.authenticator.getAssertion(begin.body.options);
        const refused = await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
        expect(refused.status).toBe(401);
        expect(refused.body.detail).toMatch(/disabled/);
      });

      it('adds a second passkey, renames it, signs in with it, and revokes it', async () => {
        const laptop = new SoftAuthenticator({ origin: TEST_ORIGIN });
        const begin = await admin.client.post('/api/v1/me/passkeys/options');
        expect(begin.status, begin.text).toBe(200);
        const response = await laptop.createCredential(begin.body.options);
        const added = await admin.client.post('/api/v1/me/passkeys', { challengeId: begin.body.challengeId, response, name: 'Laptop' });
        expect(added.status, added.text).toBe(201);
        expect((await admin.client.get('/api/v1/me/passkeys')).body).toHaveLength(2);

        const renamed = await admin.client.patch(`/api/v1/me/passkeys/${added.body.id}`, { name: 'Station laptop' });
        expect(renamed.body.name).toBe('Station laptop');

        await login({ ...admin, authenticator: laptop });

        expect((await admin.client.delete(`/api/v1/me/passkeys/${added.body.id}`)).status).toBe(204);
        const client = new ApiClient(server.url);
        const again = await client.post('/api/v1/auth/login/options');
        const refused = await client.post('/api/v1/auth/login/complete', {
          challengeId: again.body.challengeId,
          response: await laptop.getAssertion(again.body.options),
        });
        expect(refused.status).toBe(401);
        expect(refused.body.detail).toMatch(/revoked/);
      });

      it('refuses to revoke the last passkey', async () => {
        const olha = await invite(admin, { email: 'olha@police.ua', displayName: 'Olha', role: 'investigator', agencyId: directory.agencies.policeA });
        const passkeys = (await olha.client.get('/api/v1/me/passkeys')).body;
        expect(passkeys).toHaveLength(1);
        const res = await olha.client.delete(`/api/v1/me/passkeys/${passkeys[0].id}`);
        expect(res.status).toBe(409);
      });
    });
  });
}
