// The full role × route matrix, driven by the published OpenAPI document: every documented route, every role and
// anonymous. A scenario: it runs on Node (tests/http/roleRouteMatrix.test.ts) and in workerd (tests/worker/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/apiClient';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, invite, seedDirectory, type Person } from '../support/people';

type Caller = 'anonymous' | 'admin' | 'investigator' | 'ncb_officer' | 'compliance';
const CALLERS: Caller[] = ['anonymous', 'admin', 'investigator', 'ncb_officer', 'compliance'];

/** Reads the status and headers of an endless response (an event stream), then hangs up. */
async function statusOnly(client: ApiClient, path: string) {
  const abort = new AbortController();
  const res = await ApiClient.transport.fetch(new URL(path, client.baseUrl), { headers: client.socketHeaders(), signal: abort.signal });
  const streaming = res.headers.get('content-type')?.startsWith('text/event-stream');
  const text = streaming ? '' : await res.text();
  if (streaming) await res.body?.cancel();
  abort.abort();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

export function roleRouteMatrixScenario(start: StartHarness) {
  let server: Harness;
  const clients = new Map<Caller, ApiClient>();
  let routes: Array<{ method: string; path: string; roles: string[] }> = [];

  beforeAll(async () => {
    server = await start();
    const admin = await enrolFirstAdmin(server);
    const { agencies } = await seedDirectory(admin);
    const people: Record<Exclude<Caller, 'anonymous' | 'admin'>, Person> = {
      investigator: await invite(admin, { email: 'inv@police.ua', displayName: 'Investigator', role: 'investigator', agencyId: agencies.policeA }),
      ncb_officer: await invite(admin, { email: 'ncb@ncb.ua', displayName: 'NCB Officer', role: 'ncb_officer', agencyId: agencies.ncbA }),
      compliance: await invite(admin, { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agencyId: agencies.oversight }),
    };
    clients.set('anonymous', new ApiClient(server.url));
    clients.set('admin', admin.client);
    for (const [role, person] of Object.entries(people)) clients.set(role as Caller, person.client);

    const doc = (await new ApiClient(server.url).get('/api/v1/openapi.json')).body;
    for (const [path, operations] of Object.entries<Record<string, { 'x-exigent-roles'?: string[] }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        routes.push({ method: method.toUpperCase(), path, roles: operation['x-exigent-roles'] ?? [] });
      }
    }
    // Routes outside OpenAPI (their path grammar is a spec's), declared here with the same roles as in code.
    routes.push(
      { method: 'GET', path: '/api/v1/log/tile/0/000.p/1', roles: ['anonymous', 'admin', 'investigator', 'ncb_officer', 'compliance'] },
      { method: 'GET', path: '/api/v1/log/tile/entries/000.p/1', roles: ['admin', 'compliance'] },
      // The WebSocket stream; a plain GET runs the same guards as the upgrade.
      { method: 'GET', path: '/api/v1/devices/{id}/stream', roles: ['investigator'] },
      // Server-sent events for the NCB inbox: an admitted caller gets an endless stream, so only the status is read.
      { method: 'GET', path: '/api/v1/ncb/stream', roles: ['ncb_officer'] },
    );
    // Logging out ends the caller's session, so it goes last.
    routes = routes.sort((a, b) => Number(a.path === '/api/v1/auth/logout') - Number(b.path === '/api/v1/auth/logout'));
  });
  afterAll(async () => server.stop());

  describe('role × route matrix', () => {
    it('covers every documented route, each declaring its roles', () => {
      expect(routes.length).toBeGreaterThan(15);
      for (const route of routes) expect(route.roles, `${route.method} ${route.path}`).not.toHaveLength(0);
    });

    it('admits exactly the declared roles on every route', async () => {
      const outcomes: string[] = [];
      for (const route of routes) {
        const path = route.path.replace(/\{[^}]+\}/g, 'no-such-id');
        for (const caller of CALLERS) {
          const client = clients.get(caller)!;
          const res = path.endsWith('/ncb/stream') ? await statusOnly(client, path) : route.method === 'GET' ? await client.get(path) : await client.request(route.method, path, {});
          const allowed = route.roles.includes(caller);
          const refusedByGuard = res.status === 401 || (res.status === 403 && /^This endpoint is for/.test(res.body?.detail ?? ''));
          expect(res.status, `${caller} ${route.method} ${route.path}: ${res.text}`).toBeLessThan(500);
          if (allowed !== !refusedByGuard) outcomes.push(`${caller} ${route.method} ${route.path} → ${res.status} (declared ${allowed ? 'allowed' : 'refused'})`);
          if (!allowed) expect(res.headers.get('content-type')).toContain('application/problem+json');
        }
      }
      expect(outcomes).toEqual([]);
    });
  });
}
