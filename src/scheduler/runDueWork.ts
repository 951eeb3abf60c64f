/**
 * @module The one scheduler behind every timer: NCB escalations, formal-request reminders and overdue alerts,
 * outbox delivery and the retention purge. Each job keeps its progress in the database, so a tick is idempotent
 * and a restart simply carries on; ticks never overlap. Tests call `runDueWork` directly with a manual clock.
 */
import { runDeadlineReminders } from '../formal-requests/deadlineReminders';
import { escalateUnacknowledged } from '../ncb/escalation';
import { deliverDueOutbox } from '../outbox/deliverOutbox';
import type { OutboxTransports } from '../outbox/transports';
import { purgeExpired } from '../relay/retention';
import type { Services } from '../runtime/services';

export interface DueWorkReport {
  escalated: number;
  reminders: number;
  overdue: number;
  outbox: { delivered: number; retried: number; dead: number; skipped: number };
  purged: { envelopes: number; blobs: number };
}

export async function runDueWork(services: Services, transports: OutboxTransports): Promise<DueWorkReport> {
  // Alerts first, so the e-mails they enqueue go out in the same tick.
  const escalated = await escalateUnacknowledged(services);
  const { reminders, overdue } = await runDeadlineReminders(services);
  const outbox = await deliverDueOutbox(services, transports);
  const { envelopes, blobs } = await purgeExpired(services);
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
