/**
 * @module The scheduler's runner on Workers. Cron invocations may overlap (a slow pass and the next minute's), and
 * isolates share no memory, so every invocation hands the tick to this one object, which runs them one after
 * another — the guarantee Node's in-process scheduler gives ("ticks never overlap"). Each job's own guards
 * (escalation claims, outbox status) still hold if two ever ran at once.
 */
import { DurableObject } from 'cloudflare:workers';
import { httpMailer } from '../../outbox/httpMailer';
import { createOutboxTransports } from '../../outbox/transports';
import { runDueWork, type DueWorkReport } from '../../scheduler/runDueWork';
import type { Env } from './env';
import { openWorkerServices, servicesCache } from './workerServices';

/** The name of the single DueWorkRunner object. */
export const DUE_WORK_RUNNER_NAME = 'scheduler';

export class DueWorkRunner extends DurableObject<Env> {
  private readonly services = servicesCache(() => openWorkerServices(this.env));
  private running: Promise<unknown> = Promise.resolve();

  async run(): Promise<DueWorkReport> {
    const tick = this.running.catch(() => undefined).then(async () => {
      const services = await this.services();
      try {
        return await runDueWork(services, createOutboxTransports({ sendMail: httpMailer(services.config) }));
      } finally {
        await services.hub.settled();
      }
    });
    this.running = tick;
    return tick;
  }
}
