// The operator CLI appends to the log from its own process while the server runs (e.g. `exigent disable`). The
// server's cached right edge of the tree is then stale; its next append must still succeed, and the tree stay whole.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfCheckLog } from '../../src/audit-log/selfCheck';
import { withServices } from '../../clients/cli/commands/command';
import { disableUser } from '../../src/auth/userAccess';
import { enrolFirstAdmin, invite, seedDirectory, type Directory, type Person } from '../support/people';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../support/testServer';

let server: TestServer;
let admin: Person;
let directory: Directory;

beforeAll(async () => {
  server = await startTestServer();
  admin = await enrolFirstAdmin(server);
  directory = await seedDirectory(admin);
});
afterAll(async () => server.stop());

describe('a second writer on the same database', () => {
  it('is covered by the server’s next checkpoint even before the server appends again', async () => {
    const spare = await invite(admin, { email: 'c@police.ua', displayName: 'Cyryl', role: 'investigator', agencyId: directory.agencies.policeA });
    const env = { EXIGENT_DB: join(server.dir, 'exigent.db'), EXIGENT_LOG_KEY: server.services.config.logKeyPath, EXIGENT_ORIGIN: TEST_ORIGIN };
    const written = await withServices(env, async (cli) => {
      await disableUser(cli, { userId: spare.user.id, reason: 'left', actor: { userId: admin.user.id, role: 'admin', agencyId: null, countryCode: null } });
      return cli.logWriter.size();
    });
    const checkpoint = await admin.client.post('/api/v1/log/checkpoint');
    expect(checkpoint.body.size).toBe(written);
  });

  it('does not make the server fail its next append', async () => {
    const first = await invite(admin, { email: 'a@police.ua', displayName: 'Alla', role: 'investigator', agencyId: directory.agencies.policeA });
    const second = await invite(admin, { email: 'b@police.ua', displayName: 'Borys', role: 'investigator', agencyId: directory.agencies.policeA });
    const before = await server.services.logWriter.size();

    // The CLI, in effect: its own connection and its own log writer, appending a leaf.
    const env = { EXIGENT_DB: join(server.dir, 'exigent.db'), EXIGENT_LOG_KEY: server.services.config.logKeyPath, EXIGENT_ORIGIN: TEST_ORIGIN };
    await withServices(env, (cli) => disableUser(cli, { userId: first.user.id, reason: 'moved on', actor: { userId: admin.user.id, role: 'admin', agencyId: null, countryCode: null } }));

    // The server's next append takes the index the CLI just used unless it notices and re-reads the tree.
    const res = await admin.client.post(`/api/v1/users/${second.user.id}/disable`, { reason: 'moved on too' });
    expect(res.status, res.text).toBe(200);
    expect(await server.services.logWriter.size()).toBe(before + 2);
    const checkpoint = await admin.client.post('/api/v1/log/checkpoint');
    expect(checkpoint.status).toBe(200);
    expect((await selfCheckLog(server.services, server.services.logSigner)).problems).toEqual([]);
  });
});
