/**
 * @module The log's single writer and single signer on Workers: one Durable Object through which every append passes,
 * so the tree never forks across isolates. It commits the event's business statements, leaves and tree nodes in one
 * D1 batch (exactly what createLogWriter does on Node), and signs checkpoints, by alarm on the same cadence as Node
 * and on request (`issueCheckpoint`), against the signer's record kept in its own storage, out of D1's reach.
 */
import { DurableObject } from 'cloudflare:workers';
import { createCheckpointIssuer } from '../../audit-log/checkpointIssuer';
import { HistoryRewritten } from '../../audit-log/historyRewritten';
import type { Committed } from '../../audit-log/logWriter';
import { createLogWriter } from '../../audit-log/logWriter';
import type { LogEvent } from '../../audit-log/logEvent';
import type { SignedHead } from '../../audit-log/signedHead';
import { IntegrityFailure, Invalid } from '../../errors';
import type { RawStatement } from '../../storage/database';
import { durableObjectSignedHeads } from './durableObjectSignedHeads';
import type { Env } from './env';
import { openWorkerServices, servicesCache } from './workerServices';

export class LogSequencer extends DurableObject<Env> {
  private readonly services = servicesCache(() =>
    openWorkerServices(this.env, {
      logWriter: (database, clock) => createLogWriter({ database, clock }),
      checkpointIssuer: (parts) => createCheckpointIssuer({ ...parts, heads: durableObjectSignedHeads(this.ctx.storage) }),
    }),
  );

  /**
   * A refused batch (a constraint, an injected fault) is an answer, not a crash of this object: it comes back as
   * `{ refused }` with the database's message, which the caller's adapter classifies (isUniqueViolation…). An event
   * the writer itself refuses (a leaf too big) comes back with `invalid`, so the caller throws the same 422.
   */
  async commit(events: LogEvent[], statements: RawStatement[]): Promise<{ committed: Committed } | { refused: string; invalid?: { field: string | null } }> {
    const services = await this.services();
    let committed: Committed;
    try {
      committed = await services.logWriter.commit(events, statements);
    } catch (error) {
      if (error instanceof Invalid) return { refused: error.message, invalid: { field: error.field ?? null } };
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

  /**
   * Signs a checkpoint for the tree as it is now (the recorded one when it has not grown). A refused tree is an
   * answer, `{ refused }` with the finding, which the isolate's adapter throws as the same IntegrityFailure.
   */
  async issueCheckpoint(): Promise<{ issued: SignedHead } | { refused: string; historyRewritten: boolean }> {
    const services = await this.services();
    try {
      return { issued: await services.checkpointIssuer.issue() };
    } catch (error) {
      if (!(error instanceof IntegrityFailure)) throw error;
      return { refused: error.message, historyRewritten: error instanceof HistoryRewritten };
    }
  }

  override async alarm(): Promise<void> {
    const services = await this.services();
    try {
      await services.checkpointIssuer.issue();
    } catch (error) {
      if (error instanceof IntegrityFailure) {
        // Retrying would refuse again; the next append sets a new alarm, which refuses (and logs) again.
        services.logger.error({ err: error }, 'checkpoint refused: integrity check failed');
        return;
      }
      services.logger.error({ err: error }, 'checkpoint failed');
      throw error; // the platform retries a failed alarm
    }
  }
}
