// Registering a webhook that points into the server's own network, on both runtimes (Node:
// tests/outbox/webhookTargets.http.test.ts, workerd: tests/worker/webhookTargets.test.ts), with private targets not
// allowed, as by default in production: a 422 problem naming the host and why, and nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness, StartHarness } from '../support/harness';
import { enrolFirstAdmin, seedDirectory, type Person } from '../support/people';

export function webhookTargetsScenario(start: StartHarness) {
  let server: Harness;
  let admin: Person;
  let ncb: string;

  beforeAll(async () => {
    // The test servers allow private targets for their loopback receivers; this one is set as in production.
    server = await start({ env: { EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'false' } });
    admin = await enrolFirstAdmin(server);
    ncb = (await seedDirectory(admin)).agencies.ncbB;
  });
  afterAll(async () => server.stop());

  describe('webhook registration', () => {
    it.each([
      ['http://127.0.0.1:9/hook', "The webhook URL's host 127.0.0.1 is a loopback address: the server does not call into its own network unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true"],
      ['http://2130706433/hook', 'host 127.0.0.1 is a loopback address'],
      ['http://[::ffff:192.168.0.1]/hook', 'host [::ffff:c0a8:1] is a private-network address'],
      ['https://localhost/hook', 'host localhost is a loopback address'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local address: webhooks are never sent there'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'is a cloud metadata service'],
    ])('refuses %s with 422 naming the reason', async (url, reason) => {
      const res = await admin.client.post('/api/v1/webhooks', { agencyId: ncb, url });
      expect(res.status, res.text).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toContain(reason);
      expect(res.body.errors).toEqual([{ field: 'url', message: res.body.detail }]);
    });

    it('stores none of them, and accepts a public receiver', async () => {
      expect((await admin.client.get('/api/v1/webhooks')).body.endpoints).toEqual([]);
      const res = await admin.client.post('/api/v1/webhooks', { agencyId: ncb, url: 'https://cms.ncb.example/hooks' });
      expect(res.status, res.text).toBe(201);
    });
  });
}
