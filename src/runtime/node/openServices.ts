/** @module Builds the Node runtime's services: SQLite storage, pino logger, system clock, the log writer and the checkpoint signer. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parseInstruments } from '../../formal-requests/instruments';
import { createCheckpointIssuer } from '../../audit-log/checkpointIssuer';
import { createLogWriter } from '../../audit-log/logWriter';
import { inRowAttachmentStore } from '../../relay/attachmentStore';
import { createLocalDeliveryHub, type DeliveryHub } from '../../relay/deliveryHub';
import { systemClock, type Clock } from '../../clock';
import type { Config } from '../../config/loadConfig';
import type { Services } from '../services';
import { loadOrCreateSigningKey } from './logKeyFile';
import { signedHeadFile } from './signedHeadFile';
import { workerEd25519Verifier } from './workerEd25519Verifier';
import { openSqliteDatabase, type SqliteDatabase } from '../../storage/sqliteDatabase';

export interface NodeServices extends Services {
  database: SqliteDatabase;
  /** The process's hub: live streams subscribe on it here (src/runtime/node/nodeLiveStreams.ts). */
  hub: DeliveryHub;
  /** Stops the signature worker (if it ever started) and closes the database. */
  close(): Promise<void>;
}

const SHIPPED_INSTRUMENTS = fileURLToPath(new URL('../../../config/legal-instruments.json', import.meta.url));

function loadInstruments(config: Config) {
  const path = config.instrumentsFile ?? SHIPPED_INSTRUMENTS;
  return parseInstruments(readFileSync(path, 'utf8'), path);
}

export async function openNodeServices(config: Config, options: { clock?: Clock; logger?: pino.Logger } = {}): Promise<NodeServices> {
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ??
    pino({
      level: config.logLevel,
      // Defence in depth: never print secrets even if a caller logs a whole object (the same names as the Worker's logger).
      redact: { paths: ['token', '*.token', 'cookie', '*.cookie', 'headers.cookie', 'privateKey', '*.privateKey', 'secret', '*.secret'], censor: '[redacted]' },
    });
  const database = openSqliteDatabase({ path: config.dbPath, onCheckpointError: (message) => logger.error({ message }, 'WAL checkpoint failed') });
  const logSigner = await loadOrCreateSigningKey(config.logKeyPath, config.logOrigin);
  // Started on the first envelope only, so operator commands and tools never spawn the thread.
  const logWriter = createLogWriter({ database, clock });
  // The signer's record sits beside its key, outside the database; the CLI opens the same file (a lock serialises them).
  const checkpointIssuer = createCheckpointIssuer({ database, clock, logger, logWriter, logSigner, heads: signedHeadFile(`${config.logKeyPath}.head`) });
  const signatures = workerEd25519Verifier({ onError: (error) => logger.error({ err: error }, 'signature worker failed; verifying with WebCrypto') });
  return {
    config,
    database,
    clock,
    logger,
    logWriter,
    logSigner,
    checkpointIssuer,
    hub: createLocalDeliveryHub(),
    attachments: inRowAttachmentStore,
    instruments: loadInstruments(config),
    signatures,
    async close() {
      await signatures.stop();
      database.close();
    },
  };
}
