/**
 * @module What every runtime provides to domain code: storage, time, configuration, logging and signature checks.
 * It sits on the ground floor and names no domain; a service owned by a domain (the log writer, the live hub,
 * the legal instruments) is typed by that domain, and the runtime's `Services` bundle joins them all.
 */
import type { Clock } from './clock';
import type { Config } from './config/loadConfig';
import type { Ed25519Verifier } from './crypto/ed25519';
import type { Logger } from './logger';
import type { Database } from './storage/database';

export interface Platform {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Verifies the relay's envelope signatures (WebCrypto, or a faster runtime-specific verifier). */
  signatures: Ed25519Verifier;
}
