/**
 * @module The Services bundle a runtime entry point builds once per process and hands to the app and the scheduler:
 * the platform plus the services domains own. It is wiring, so it lives here, above every domain it names.
 */
import type { CheckpointIssuer } from '../audit-log/checkpointIssuer';
import type { LogSigner } from '../audit-log/logSigner';
import type { LogWriter } from '../audit-log/logWriter';
import type { LegalInstrument } from '../formal-requests/instruments';
import type { Platform } from '../platform';
import type { AttachmentStore } from '../relay/attachmentStore';
import type { LivePublisher } from '../relay/deliveryHub';

export interface Services extends Platform {
  /** Every write that records an accountability event goes through here, in one batch with its rows. */
  logWriter: LogWriter;
  /** The log's checkpoint signing key (kept outside the database it protects). */
  logSigner: LogSigner;
  /**
   * Signs checkpoints, refusing a tree that does not extend the last one signed (its record is outside the database:
   * beside the key on Node; on Workers only the LogSequencer object signs, and isolates ask it).
   */
  checkpointIssuer: CheckpointIssuer;
  /** Pushes relay events to connected devices (best effort; the database queue is the truth). */
  hub: LivePublisher;
  /** Where attachments' ciphertext is kept (their rows on Node, R2 on Workers). */
  attachments: AttachmentStore;
  /** Legal-instrument presets for formal-request deadlines (an operator-editable file). */
  instruments: readonly LegalInstrument[];
}
