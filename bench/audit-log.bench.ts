/**
 * @module `npm run bench -- audit-log [--entries N]`: append N entries (default 1,000,000) to an on-disk
 * database in batches, then time inclusion and consistency proofs at that size and a full self-check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { issueCheckpoint } from '../src/audit-log/checkpoints';
import { databaseNodeReader } from '../src/audit-log/nodeStore';
import { selfCheckLog } from '../src/audit-log/selfCheck';
import { consistencyProof, inclusionProof } from '../src/audit-log/tlog';
import { loadConfig } from '../src/config/loadConfig';
import { openNodeServices } from '../src/runtime/node/openServices';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(x: number, digits = 3): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const at = args.indexOf('--entries');
  const entries = at >= 0 ? Number(args[at + 1]) : 1_000_000;
  const batch = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'exigent-bench-log-'));
  const services = await openNodeServices(loadConfig({ EXIGENT_DB: join(dir, 'log.db') }), { logger: pino({ level: 'silent' }) });
  try {
    const started = performance.now();
    for (let i = 0; i < entries; i += batch) {
      const n = Math.min(batch, entries - i);
      const events = Array.from({ length: n }, (_, j) => ({
        type: 'ncb.acknowledged' as const,
        actor: { userId: `officer-${(i + j) % 97}`, role: 'ncb_officer' as const },
        subject: { notificationId: `n-${i + j}`, urgentContactId: `uc-${Math.floor((i + j) / 2)}` },
        countries: ['UA', 'PL'],
      }));
      await services.logWriter.commit(events);
    }
    const appendSeconds = (performance.now() - started) / 1000;
    const appendsPerSecond = Math.round(entries / appendSeconds);
    console.log(`appended ${entries} entries in ${appendSeconds.toFixed(1)} s: ${appendsPerSecond} appends/s (batches of ${batch})`);
    await issueCheckpoint(services);

    const reader = databaseNodeReader(services.database);
    const inclusion: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const index = Math.floor(Math.random() * entries);
      const t = performance.now();
      await inclusionProof(index, entries, reader);
      inclusion.push(performance.now() - t);
    }
    inclusion.sort((a, b) => a - b);
    const consistency: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const oldSize = 1 + Math.floor(Math.random() * (entries - 1));
      const t = performance.now();
      await consistencyProof(oldSize, entries, reader);
      consistency.push(performance.now() - t);
    }
    consistency.sort((a, b) => a - b);
    console.log(`inclusion proof at ${entries}: p50 ${round(percentile(inclusion, 50))} ms, p99 ${round(percentile(inclusion, 99))} ms`);
    console.log(`consistency proof to ${entries}: p50 ${round(percentile(consistency, 50))} ms, p99 ${round(percentile(consistency, 99))} ms`);

    const verifyStarted = performance.now();
    const report = await selfCheckLog(services, services.logSigner);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    console.log(`self-check of ${report.size} entries: ${verifySeconds.toFixed(2)} s, ${report.ok ? 'OK' : `FAILED: ${report.problems[0]}`}`);
    return {
      entries,
      appends_per_s: appendsPerSecond,
      inclusion_proof_p99_ms: round(percentile(inclusion, 99)),
      consistency_proof_p99_ms: round(percentile(consistency, 99)),
      verify_all_s: round(verifySeconds, 2),
    };
  } finally {
    services.database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
