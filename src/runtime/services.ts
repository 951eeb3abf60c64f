/** @module The dependencies domain functions share, built once per process by a runtime entry point. */
import type { Logger } from 'pino';
import type { LogSigner } from './audit-log/logSigner';
import type { LogWriter } from './audit-log/logWriter';
import type { Clock } from './clock';
import type { Config } from './config/loadConfig';
import type { Ed25519Verifier } from './crypto/ed25519';
import type { LegalInstrument } from './formal-requests/instruments';
import type { DeliveryHub } from './relay/deliveryHub';
import type { Database } from './storage/database';

export interface Services {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Every write that records an accountability event goes through here, in one batch with its rows. */
  logWriter: LogWriter;
  /** The log's checkpoint signing key (kept outside the database it protects). */
  logSigner: LogSigner;
  /** Pushes relay events to connected devices (best effort; the database queue is the truth). */
  hub: DeliveryHub;
  /** Legal-instrument presets for formal-request deadlines (an operator-editable file). */
  instruments: readonly LegalInstrument[];
  /** Verifies the relay's envelope signatures (WebCrypto, or a faster runtime-specific verifier). */
  signatures: Ed25519Verifier;
}

/** The acting user, as established by the session. */
export interface Actor {
  userId: string;
  role: import('./directory/tables').Role;
  agencyId: string | null;
  countryCode: string | null;
}
