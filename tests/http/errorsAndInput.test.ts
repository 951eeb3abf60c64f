// Bad input gets a clear RFC 9457 problem and writes nothing; plus health, request ids, security headers and OpenAPI.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countries } from '../../src/directory/tables';
import { ApiClient } from '../support/apiClient';
import { enrolFirstAdmin, type Person } from '../support/people';
import { startTestServer, type TestServer } from '../support/testServer';

let server: TestServer;
let admin: Person;

beforeAll(async () => {
  server = await startTestServer({ env: { EXIGENT_MAX_BODY_KB: '4' } });
  admin = await enrolFirstAdmin(server);
});
afterAll(async () => server.stop());

function countRows(table: string): number {
  return (server.services.database.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: 'about:blank', status });
  expect(res.body.detail).toMatch(detail);
}

describe('bad input', () => {
  it('answers malformed JSON with 400 and writes nothing', async () => {
    const before = countRows('countries');
    const res = await admin.client.request('POST', '/api/v1/countries', undefined, { rawBody: '{"code": "DE",', headers: { 'content-type': 'application/json' } });
    expectProblem(res, 400, /JSON/i);
    expect(countRows('countries')).toBe(before);
  });

  it('names the field with the wrong type', async () => {
    const res = await admin.client.post('/api/v1/countries', { code: 42, name: 'Germany' });
    expectProblem(res, 400, /code/);
    expect(res.body.errors[0].field).toBe('code');
    expect(countRows('countries')).toBe(0);
  });

  it('refuses unknown fields', async () => {
    const res = await admin.client.post('/api/v1/countries', { code: 'DE', name: 'Germany', admin: true });
    expectProblem(res, 400, /admin/);
    expect(countRows('countries')).toBe(0);
  });

  it('refuses oversize bodies with 413', async () => {
    const res = await admin.client.post('/api/v1/countries', { code: 'DE', name: 'x'.repeat(10_000) });
    expectProblem(res, 413, /exceeds the limit of 4096 bytes/);
    expect(countRows('countries')).toBe(0);
  });

  it('counts the bytes of a chunked body (no Content-Length) against the limit, and keeps serving', async () => {
    const chunked = (size: number) =>
      new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
        const url = new URL('/api/v1/countries', server.url);
        const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...admin.client.socketHeaders() } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
        });
        req.on('error', reject);
        // Padded with JSON whitespace to the size wanted: the body stays a valid country.
        const json = JSON.stringify({ code: 'CH', name: 'Switzerland' }).replace('}', `${' '.repeat(size - 34)}}`);
        // Several writes without a length: Node sends them with Transfer-Encoding: chunked.
        for (let i = 0; i < json.length; i += 1000) req.write(json.slice(i, i + 1000));
        req.end();
      });
    const refused = await chunked(20_000);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).detail).toMatch(/exceeds the limit of 4096 bytes/);
    // The rest of that body is never read, so the connection is closed rather than reused.
    expect(refused.connection).toBe('close');
    expect(countRows('countries')).toBe(0);
    const accepted = await chunked(4000);
    expect(accepted.status, accepted.body).toBe(201);
    expect(countRows('countries')).toBe(1);
    await server.services.database.batch([server.services.database.db.delete(countries)]);
  });

  it('answers unknown routes and bad query values as problems', async () => {
    expectProblem(await admin.client.get('/api/v1/nothing-here'), 404, /No route/);
    expectProblem(await admin.client.get('/api/v1/agencies?kind=army'), 400, /kind/);
  });

  it('explains a domain conflict (second NCB for a country)', async () => {
    await admin.client.post('/api/v1/countries', { code: 'DE', name: 'Germany' });
    expect((await admin.client.post('/api/v1/agencies', { name: 'NCB Wiesbaden', countryCode: 'DE', kind: 'ncb' })).status).toBe(201);
    const before = countRows('agencies');
    expectProblem(await admin.client.post('/api/v1/agencies', { name: 'NCB Berlin', countryCode: 'de', kind: 'ncb' }), 409, /already has an NCB/);
    expect(countRows('agencies')).toBe(before);
  });
});

describe('plumbing', () => {
  it('answers /healthz', async () => {
    const res = await new ApiClient(server.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('puts a request id and security headers on every response', async () => {
    const res = await new ApiClient(server.url).get('/api/v1/me');
    expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    // Every kind of response: JSON, problem, HTML shell, script, stylesheet, docs, 404, health.
    for (const path of ['/api/v1/me', '/api/v1/countries', '/healthz', '/', '/login', '/assets/app.js', '/assets/app.css', '/docs', '/no/such/page', '/api/v1/log/key']) {
      const r = await fetch(`${server.url}${path}`);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toMatch(/script-src 'self'( 'wasm-unsafe-eval')?;/);
      expect(csp, path).not.toContain('unsafe-inline');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('x-request-id'), path).toMatch(/.{8,}/);
      // HSTS only over https (this origin is http://localhost).
      expect(r.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('sends HSTS when the origin is https', async () => {
    const https = await startTestServer({ env: { EXIGENT_ORIGIN: 'https://exigent.example.org', EXIGENT_RP_ID: 'exigent.example.org' } });
    try {
      expect((await fetch(`${https.url}/healthz`)).headers.get('strict-transport-security')).toContain('max-age=');
    } finally {
      await https.stop();
    }
  });

  it('publishes an OpenAPI 3.1 document and rendered docs', async () => {
    const doc = await new ApiClient(server.url).get('/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/auth/login/options');
    const docs = await new ApiClient(server.url).get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/docs/scalar.js');
    expect((await new ApiClient(server.url).get('/docs/init.js')).text).toContain('/api/v1/openapi.json');
    const bundle = await fetch(`${server.url}/docs/scalar.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });

  it('never writes session tokens, enrolment tokens or webhook secrets to the log', async () => {
    const firstAdminToken = new URL(server.firstAdminUrl!).hash.slice('#token='.length);
    expect((await admin.client.post('/api/v1/countries', { code: 'NO', name: 'Norway' })).status).toBe(201);
    const agency = await admin.client.post('/api/v1/agencies', { name: 'NCB Oslo', countryCode: 'NO', kind: 'ncb', dutyEmail: null });
    const invitation = await admin.client.post('/api/v1/invitations', { email: 'kari@ncb.no', displayName: 'Kari N.', role: 'ncb_officer', agencyId: agency.body.id });
    const invitationToken = new URL(invitation.body.url).hash.slice('#token='.length);
    const webhook = await admin.client.post('/api/v1/webhooks', { agencyId: agency.body.id, url: 'https://cms.ncb.example/hooks' });
    expect(webhook.status, webhook.text).toBe(201);
    const logs = server.logLines.join('\n');
    for (const secret of [admin.client.sessionCookie!, firstAdminToken, invitationToken, webhook.body.secret as string, (webhook.body.secret as string).replace(/^whsec_/, '')]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(logs).not.toContain(secret);
    }
  });
});
