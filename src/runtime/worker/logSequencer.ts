/**
 * @module The log's single writer on Workers: one Durable Object through which every append passes, so the tree
 * never forks across isolates. It commits the event's business statements, leaves and tree nodes in one D1 batch
 * (exactly what createLogWriter does on Node), and signs a checkpoint on the same cadence as Node, by alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import { issueCheckpoint } from '../../audit-log/checkpoints';
import type { Committed } from '../../audit-log/logWriter';
import { createLogWriter } from '../../audit-log/logWriter';
import type { LogEvent } from '../../audit-log/logEvent';
import type { RawStatement } from '../../storage/database';
import type { Env } from './env';
import { openWorkerServices, servicesCache } from './workerServices';

export class LogSequencer extends DurableObject<Env> {
  private readonly services = servicesCache(() => openWorkerServices(this.env, { logWriter: (database, clock) => createLogWriter({ database, clock }) }));

  /**
   * A refused batch (a constraint, an injected fault) is an answer, not a crash of this object: it comes back as
   * `{ refused }` with the database's message, which the caller's adapter classifies (isUniqueViolation…).
   */
  async commit(events: LogEvent[], statements: RawStatement[]): Promise<{ committed: Committed } | { refused: string }> {
    const services = await this.services();
    let committed: Committed;
    try {
      committed = await services.logWriter.commit(events, statements);
    } catch (error) {
      return { refused: error instanceof Error ? error.message : String(error) };
    }
    if (events.length > 0 && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + services.config.checkpointIntervalMs);
    }
    return { committed };
  }

  async size(): Promise<number> {
    return (await this.services()).logWriter.size();
  }

  /** Signs a checkpoint for the tree as it is now (a no-op when the latest one already covers it). */
  override async alarm(): Promise<void> {
    const services = await this.services();
    try {
      await issueCheckpoint(services);
    } catch (error) {
      services.logger.error({ err: error }, 'checkpoint failed');
      throw error; // the platform retries a failed alarm
    }
  }
}
