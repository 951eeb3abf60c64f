/** @module One autocannon run on loopback, reduced to the figures we report (req/s, p50, p99). */
import autocannon from 'autocannon';

export interface LoadFigures {
  rps: number;
  /** Requests completed in the run. */
  total: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
}

export async function loadRun(options: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon({ connections: 50, duration: 10, ...options });
  return {
    rps: Math.round(result.requests.average),
    total: result.requests.total,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
