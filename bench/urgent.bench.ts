/**
 * @module `npm run bench -- urgent [--opens N] [--workers W]`: opens N urgent contacts (default 10,000) through the
 * HTTP API, each signed by a software passkey, from W investigators in parallel (default 8). Reports opens/s and
 * the server-side time of the atomic write (its Server-Timing header), p50 and p99.
 */
import { enrolWithLink, type Person } from '../tests/support/people';
import { draftFor } from '../tests/support/urgent';
import { startChildServer } from './support/childServer';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const option = (args: string[], name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opens = option(args, '--opens', 10_000);
  const workers = option(args, '--workers', 8);
  const server = await startChildServer({ port: 18787 });
  try {
    const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'bench@exigent.test', displayName: 'Bench' }, server.origin);
    const post = async (path: string, body: unknown) => {
      const res = await admin.client.post(path, body);
      if (res.status >= 300) throw new Error(`${path}: ${res.text}`);
      return res.body;
    };
    await post('/api/v1/countries', { code: 'UA', name: 'Ukraine' });
    await post('/api/v1/countries', { code: 'PL', name: 'Poland' });
    const agency = async (name: string, countryCode: string, kind: string) =>
      (await post('/api/v1/agencies', { name, countryCode, kind, dutyEmail: kind === 'ncb' ? `duty@${countryCode.toLowerCase()}.test` : null })).id as string;
    const [ua, pl] = [await agency('Police UA', 'UA', 'police'), await agency('Police PL', 'PL', 'police')];
    await agency('NCB UA', 'UA', 'ncb');
    await agency('NCB PL', 'PL', 'ncb');
    const person = async (email: string, agencyId: string): Promise<Person> =>
      enrolWithLink(server.url, (await post('/api/v1/invitations', { email, displayName: email, role: 'investigator', agencyId })).url, {}, server.origin);
    const counterpart = await person('piotr@police.pl', pl);
    // One investigator per worker: a passkey's signature counter must rise, so one passkey signs one at a time.
    const investigators = await Promise.all(Array.from({ length: workers }, (_, i) => person(`investigator${i}@police.ua`, ua)));

    const writes: number[] = [];
    const commits: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      investigators.map(async (investigator) => {
        while (next < opens) {
          const n = next++;
          const prepared = await investigator.client.post('/api/v1/urgent-contacts/options', draftFor(counterpart, { caseReference: `UA-BENCH-${n}` }));
          if (prepared.status !== 200) throw new Error(prepared.text);
          const response = await investigator.authenticator.getAssertion(prepared.body.options);
          const opened = await investigator.client.post('/api/v1/urgent-contacts', { challengeId: prepared.body.challengeId, response });
          if (opened.status !== 201) throw new Error(opened.text);
          const timing = opened.headers.get('server-timing') ?? '';
          writes.push(Number(/write;dur=([\d.]+)/.exec(timing)?.[1]));
          commits.push(Number(/commit;dur=([\d.]+)/.exec(timing)?.[1]));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    writes.sort((a, b) => a - b);
    commits.sort((a, b) => a - b);
    const figures = { opens: writes.length, opens_per_s: Math.round(writes.length / seconds), write_p50_ms: round(percentile(writes, 50)), write_p99_ms: round(percentile(writes, 99)) };
    console.log(`opened ${figures.opens} urgent contacts in ${seconds.toFixed(1)} s with ${workers} investigators: ${figures.opens_per_s} opens/s (each = prepare + passkey step-up + open)`);
    console.log(`atomic write inside the server: p50 ${figures.write_p50_ms} ms, p99 ${figures.write_p99_ms} ms`);
    console.log(`commit including the wait for the log's single writer: p50 ${round(percentile(commits, 50))} ms, p99 ${round(percentile(commits, 99))} ms`);
    return figures;
  } finally {
    await server.stop();
  }
}
