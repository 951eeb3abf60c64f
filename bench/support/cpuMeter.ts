/**
 * @module CPU time a process (and its main thread) spent during a phase, read from /proc on Linux. Throughput
 * on a shared 2-core machine swings with whatever else runs; CPU time per request is the steadier figure.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function cpuMs(statPath: string): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export interface CpuReading {
  /** Milliseconds of CPU, all threads. */
  processMs: number;
  /** Milliseconds of CPU on the JavaScript (main) thread. */
  mainThreadMs: number;
}

/**
 * Starts a meter on a process, or on several taken together (wrangler dev's two workerd processes); `stop()` returns
 * what they used since. NaN where /proc is not available.
 */
export function meterCpu(pids: number | readonly number[]): { stop(): CpuReading } {
  const all = typeof pids === 'number' ? [pids] : pids;
  const sum = (of: (pid: number) => number) => (all.length === 0 ? NaN : all.reduce((total, pid) => total + of(pid), 0));
  const read = () => ({ processMs: sum((pid) => cpuMs(`/proc/${pid}/stat`)), mainThreadMs: sum((pid) => cpuMs(`/proc/${pid}/task/${pid}/stat`)) });
  const start = read();
  return {
    stop() {
      const end = read();
      return { processMs: end.processMs - start.processMs, mainThreadMs: end.mainThreadMs - start.mainThreadMs };
    },
  };
}
