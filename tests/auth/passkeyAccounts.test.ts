// The passkey account story on Node: the scenario shared with workerd (tests/scenarios/passkeyAccounts.scenario.ts),
// plus what only a Node server can show (its log lines, a manual clock).
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../support/apiClient';
import { enrolFirstAdmin, seedDirectory, tokenFromUrl } from '../support/people';
import { startNodeHarness } from '../support/nodeHarness';
import { startTestServer } from '../support/testServer';
import { passkeyAccountsScenario } from '../scenarios/passkeyAccounts.scenario';

passkeyAccountsScenario(startNodeHarness);

describe('passkey accounts on Node only', () => {
  // Node-only: the link is printed by the Node server at start; a Worker's first admin comes from `npm run worker:first-admin`.
  // The link is a credential: it goes to the operator's terminal (main.ts prints server.firstAdminUrl), never into the
  // structured log, which is shipped to log stores other people read.
  it('logs once that a first-admin link was issued, without its token, and not again on enrolment', async () => {
    const server = await startTestServer();
    try {
      await enrolFirstAdmin(server);
      const token = tokenFromUrl(server.firstAdminUrl!);
      expect(token.length).toBeGreaterThan(20);
      expect(server.logLines.filter((l) => l.includes(token))).toEqual([]);
      const issued = server.logLines.filter((l) => l.includes('first-admin enrolment link issued'));
      expect(issued).toHaveLength(1);
      expect(JSON.parse(issued[0]!)).toMatchObject({ level: 40, expiresAt: expect.any(String) });
    } finally {
      await server.stop();
    }
  });

  // Node-only: expiry needs the server's manual clock, which workerd cannot be given.
  it('refuses an expired invitation', async () => {
    const server = await startTestServer({ manualTime: true, env: { EXIGENT_INVITATION_HOURS: '1' } });
    try {
      const admin = await enrolFirstAdmin(server);
      const directory = await seedDirectory(admin);
      const invited = await admin.client.post('/api/v1/invitations', { email: 'olena@police.ua', displayName: 'Olena K.', role: 'investigator', agencyId: directory.agencies.policeA });
      expect(invited.status, invited.text).toBe(201);
      (server.services.clock as unknown as { advance(ms: number): void }).advance(3_600_001);
      const res = await new ApiClient(server.url).post('/api/v1/auth/enrolment/options', { token: tokenFromUrl(invited.body.url) });
      expect(res.status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
