/** @module Builds the Node runtime's services: SQLite storage, pino logger, system clock and the log writer. */
import pino from 'pino';
import { createLogWriter } from '../../audit-log/logWriter';
import { createLocalDeliveryHub } from '../../relay/deliveryHub';
import { systemClock, type Clock } from '../../clock';
import type { Config } from '../../config/loadConfig';
import type { Services } from '../../services';
import { loadOrCreateSigningKey } from './logKeyFile';
import { openSqliteDatabase, type SqliteDatabase } from '../../storage/sqliteDatabase';

export interface NodeServices extends Services {
  database: SqliteDatabase;
}

export async function openNodeServices(config: Config, options: { clock?: Clock; logger?: pino.Logger } = {}): Promise<NodeServices> {
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ??
    pino({
      level: config.logLevel,
      // Defence in depth: never print secrets even if a caller logs a whole object.
      redact: { paths: ['token', '*.token', 'cookie', '*.cookie', 'headers.cookie', 'privateKey', '*.privateKey'], censor: '[redacted]' },
    });
  const database = openSqliteDatabase({ path: config.dbPath });
  const logSigner = await loadOrCreateSigningKey(config.logKeyPath, config.logOrigin);
  return { config, database, clock, logger, logWriter: createLogWriter({ database, clock }), logSigner, hub: createLocalDeliveryHub() };
}
