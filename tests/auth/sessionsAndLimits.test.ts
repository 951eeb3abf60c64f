// Session lifetimes and authentication rate limits, driven by an injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/apiClient';
import { enrolFirstAdmin, login } from '../support/people';
import { startTestServer, type TestServer } from '../support/testServer';

let server: TestServer;
afterEach(async () => server?.stop());

function advance(ms: number) {
  (server.services.clock as unknown as { advance(ms: number): void }).advance(ms);
}

describe('session expiry', () => {
  it('ends a session after the idle window, and keeps it alive while used', async () => {
    server = await startTestServer({ manualTime: true, env: { EXIGENT_SESSION_IDLE_MINUTES: '30', EXIGENT_SESSION_MAX_HOURS: '12' } });
    const admin = await enrolFirstAdmin(server);
    for (let i = 0; i < 4; i++) {
      advance(20 * 60_000);
      expect((await admin.client.get('/api/v1/me')).status).toBe(200);
    }
    advance(31 * 60_000);
    expect((await admin.client.get('/api/v1/me')).status).toBe(401);
  });

  it('ends a session at its absolute lifetime even when busy', async () => {
    server = await startTestServer({ manualTime: true, env: { EXIGENT_SESSION_IDLE_MINUTES: '30', EXIGENT_SESSION_MAX_HOURS: '1' } });
    const admin = await enrolFirstAdmin(server);
    advance(25 * 60_000);
    expect((await admin.client.get('/api/v1/me')).status).toBe(200);
    advance(25 * 60_000);
    expect((await admin.client.get('/api/v1/me')).status).toBe(200);
    advance(11 * 60_000);
    expect((await admin.client.get('/api/v1/me')).status).toBe(401);
  });

  it('sets the cookie HttpOnly and SameSite=Strict, and stores only its hash', async () => {
    server = await startTestServer();
    const admin = await enrolFirstAdmin(server);
    const client = new ApiClient(server.url);
    const begin = await client.post('/api/v1/auth/login/options');
    const res = await fetch(`${server.url}/api/v1/auth/login/complete`, {
      method: 'POST',
      headers: { origin: client.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ challengeId: begin.body.challengeId, response: await admin.authenticator.getAssertion(begin.body.options) }),
    });
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const token = /exigent_session=([^;]+)/.exec(cookie)![1]!;
    const stored = server.services.database.sqlite.prepare('select token_hash from sessions').all() as Array<{ token_hash: string }>;
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
  });

  it('keeps accounts and sessions across a restart of the server', async () => {
    server = await startTestServer();
    const admin = await enrolFirstAdmin(server);
    const dir = server.dir;
    await server.close();
    server = await startTestServer({ env: { EXIGENT_DB: `${dir}/exigent.db` } });
    expect(server.firstAdminUrl).toBeUndefined();
    const client = new ApiClient(server.url);
    const again = await login({ ...admin, client });
    expect((await again.get('/api/v1/me')).body.email).toBe('admin@exigent.test');
  });
});

describe('rate limiting', () => {
  it('refuses authentication attempts over the per-minute budget with 429 and Retry-After', async () => {
    server = await startTestServer({ manualTime: true, env: { EXIGENT_AUTH_RATE_LIMIT: '5' } });
    const client = new ApiClient(server.url);
    // Enrolment used two of the five attempts from this address.
    await enrolFirstAdmin(server);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.post('/api/v1/auth/login/options')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await client.post('/api/v1/auth/login/options');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body.detail).toMatch(/Too many authentication attempts/);
    advance(61_000);
    expect((await client.post('/api/v1/auth/login/options')).status).toBe(200);
  });
});
