/**
 * @module How busy the whole machine was during a phase, from /proc/stat (Linux): on a shared machine this tells
 * a reader how much CPU went to processes that are neither the server nor the load generator.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TICKS_PER_SECOND = 100;

/** All CPUs' [busy, total] ticks; busy excludes idle and iowait. */
function ticks(): [number, number] {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return [total - fields[3]! - fields[4]!, total];
  } catch {
    return [NaN, NaN];
  }
}

/** Starts a meter on the machine; `stop()` returns the CPU milliseconds all processes used since, and the cores. */
export function meterMachine(): { stop(): { busyMs: number; cores: number } } {
  const [busy] = ticks();
  return {
    stop() {
      const [end] = ticks();
      return { busyMs: ((end - busy) * 1000) / TICKS_PER_SECOND, cores: availableParallelism() };
    },
  };
}
