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
  it('prints the first-admin link to the server log once, and not again on enrolment', async () => {
    const server = await startTestServer();
    try {
      await enrolFirstAdmin(server);
      expect(server.logLines.filter((l) => l.includes('first-admin enrolment link'))).toHaveLength(1);
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
