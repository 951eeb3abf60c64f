/**
 * @module The one scheduler behind every timer: NCB escalations, formal-request reminders and overdue alerts,
 * outbox delivery and the retention purge. Each job keeps its progress in the database, so a tick is idempotent
 * and a restart simply carries on; ticks never overlap. Each job works through its due rows in pages, longest-due
 * first, until none is left or its share of the tick (`budget`, per job) is spent; the next tick then starts with
 * what was left. Tests call `runDueWork` directly with a manual clock.
 */
import { runDeadlineReminders } from '../formal-requests/deadlineReminders';
import { escalateUnacknowledged } from '../ncb/escalation';
import { deliverDueOutbox } from '../outbox/deliverOutbox';
import type { OutboxTransports } from '../outbox/transports';
import { purgeExpired } from '../relay/retention';
import type { Services } from '../runtime/services';
import type { WorkBudget } from '../storage/drainInPages';

export interface DueWorkReport {
  escalated: number;
  reminders: number;
  overdue: number;
  outbox: { delivered: number; retried: number; dead: number; skipped: number };
  purged: { envelopes: number; blobs: number };
}

/**
 * @param options.budget What each job may do in this tick (rows and wall time; defaults in storage/drainInPages).
 * @example
 * const report = await runDueWork(services, transports, { budget: { ms: 10_000 } });
 */
export async function runDueWork(services: Services, transports: OutboxTransports, options: { budget?: WorkBudget } = {}): Promise<DueWorkReport> {
  const { budget } = options;
  // Alerts first, so the e-mails they enqueue go out in the same tick.
  const escalated = await escalateUnacknowledged(services, { budget });
  const { reminders, overdue } = await runDeadlineReminders(services, { budget });
  const outbox = await deliverDueOutbox(services, transports, { budget });
  const { envelopes, blobs } = await purgeExpired(services, { budget });
  return { escalated, reminders, overdue, outbox, purged: { envelopes, blobs } };
}

/** Runs `runDueWork` every `intervalMs`, one tick at a time, logging (not throwing) failures. */
export function startScheduler(services: Services, transports: OutboxTransports, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => runDueWork(services, transports).catch((error: Error) => services.logger.error({ err: error }, 'scheduler tick failed')));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
