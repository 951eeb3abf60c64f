/** @module `npm run bench -- http`: req/s and p50/p99 of /healthz and of an authenticated read, 50 connections on loopback. */
import { enrolWithLink } from '../tests/support/people';
import { startChildServer } from './support/childServer';
import { loadRun } from './support/loadRun';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[args.indexOf('--seconds') + 1]) || 10;
  const server = await startChildServer({ port: 18787 });
  try {
    const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'bench@exigent.test', displayName: 'Bench' }, server.origin);
    const health = await loadRun({ url: `${server.url}/healthz`, duration: seconds });
    console.log(`GET /healthz        ${health.rps} req/s  p50 ${health.p50_ms} ms  p99 ${health.p99_ms} ms  (non-2xx ${health.non2xx})`);
    const me = await loadRun({
      url: `${server.url}/api/v1/me`,
      duration: seconds,
      headers: { cookie: `exigent_session=${admin.client.sessionCookie}`, origin: server.origin },
    });
    console.log(`GET /api/v1/me      ${me.rps} req/s  p50 ${me.p50_ms} ms  p99 ${me.p99_ms} ms  (non-2xx ${me.non2xx})`);
    return {
      connections: 50,
      seconds,
      healthz_rps: health.rps,
      healthz_p50_ms: health.p50_ms,
      healthz_p99_ms: health.p99_ms,
      me_rps: me.rps,
      me_p50_ms: me.p50_ms,
      me_p99_ms: me.p99_ms,
      non2xx: health.non2xx + me.non2xx,
    };
  } finally {
    await server.stop();
  }
}
