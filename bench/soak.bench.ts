/**
 * @module `npm run bench -- soak [--minutes N]` (default 10): the mixed load held steady for N minutes against a
 * server on a file database, reporting throughput per interval and the server's memory (RSS and heap) over time,
 * and whether memory levels off (growth in the second half versus the first).
 */
import { startChildServer } from './support/childServer';
import { MixedLoad, prepareScenario } from './support/mixedLoad';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const minutes = args.includes('--minutes') ? Number(args[args.indexOf('--minutes') + 1]) : 10;
  const server = await startChildServer({ port: 18791, env: { EXIGENT_SEND_RATE_PER_MINUTE: '1000000', EXIGENT_SESSION_IDLE_MINUTES: '600', EXIGENT_SESSION_MAX_HOURS: '24' } });
  try {
    const scenario = await prepareScenario(server);
    const runtime = async () => (await scenario.admin.client.get('/api/v1/admin/runtime')).body as { rssBytes: number; heapUsedBytes: number };
    const load = new MixedLoad(scenario);
    const interval = Math.min(30_000, (minutes * 60_000) / 10);
    const samples: Array<{ at_s: number; rps: number; rss_mb: number; heap_mb: number }> = [];
    const started = Date.now();
    load.start();
    let before = load.completed;
    while (Date.now() - started < minutes * 60_000) {
      await sleep(interval);
      const memory = await runtime();
      const sample = { at_s: Math.round((Date.now() - started) / 1000), rps: Math.round(((load.completed - before) / interval) * 1000), rss_mb: mb(memory.rssBytes), heap_mb: mb(memory.heapUsedBytes) };
      before = load.completed;
      samples.push(sample);
      console.log(`${String(sample.at_s).padStart(5)} s  ${String(sample.rps).padStart(5)} req/s  RSS ${sample.rss_mb} MB  heap ${sample.heap_mb} MB`);
    }
    await load.stop();
    const half = Math.floor(samples.length / 2);
    const first = samples[0]!;
    const middle = samples[half]!;
    const last = samples.at(-1)!;
    const figures = {
      minutes,
      requests: load.completed,
      rps_first: first.rps,
      rps_last: last.rps,
      rss_start_mb: first.rss_mb,
      rss_end_mb: last.rss_mb,
      heap_start_mb: first.heap_mb,
      heap_end_mb: last.heap_mb,
      rss_growth_first_half_mb: Math.round((middle.rss_mb - first.rss_mb) * 10) / 10,
      rss_growth_second_half_mb: Math.round((last.rss_mb - middle.rss_mb) * 10) / 10,
    };
    console.log(`memory growth: first half ${figures.rss_growth_first_half_mb} MB RSS, second half ${figures.rss_growth_second_half_mb} MB RSS`);
    return figures;
  } finally {
    await server.stop();
  }
}
