/**
 * @module Builds the Worker's services from its bindings: D1 storage, the console logger, the log writer and the
 * checkpoint signer behind the LogSequencer object, live publishing through LiveHub objects, WebCrypto signature
 * checks, and the same configuration, read from vars with the same names and validation as Node's environment.
 */
import type { CheckpointIssuer, CheckpointIssuerOptions } from '../../audit-log/checkpointIssuer';
import { logSignerFromPem } from '../../audit-log/logSignerKey';
import type { LogWriter } from '../../audit-log/logWriter';
import { systemClock, type Clock } from '../../clock';
import { ConfigError, loadConfig } from '../../config/loadConfig';
import { ed25519Verify } from '../../crypto/ed25519';
import { parseInstruments } from '../../formal-requests/instruments';
import type { Services } from '../services';
import { openD1Database, type D1StorageDatabase } from '../../storage/d1Database';
import shippedInstruments from '../../../config/legal-instruments.json';
import { consoleLogger } from './consoleLogger';
import { durableObjectHub, type DurableObjectHub } from './durableObjectHub';
import { settingsOf, type Env } from './env';
import { r2AttachmentStore } from './r2AttachmentStore';
import { remoteCheckpointIssuer } from './remoteCheckpointIssuer';
import { remoteLogWriter } from './remoteLogWriter';

export interface WorkerServices extends Services {
  database: D1StorageDatabase;
  hub: DurableObjectHub;
}

export interface WorkerServicesOptions {
  clock?: Clock;
  /** The LogSequencer object writes the log itself; everyone else goes through it. */
  logWriter?: (database: D1StorageDatabase, clock: Clock) => LogWriter;
  /** The LogSequencer object signs checkpoints itself, against the record in its storage; everyone else asks it. */
  checkpointIssuer?: (parts: Omit<CheckpointIssuerOptions, 'heads'>) => CheckpointIssuer;
}

export async function openWorkerServices(env: Env, options: WorkerServicesOptions = {}): Promise<WorkerServices> {
  const config = loadConfig(settingsOf(env));
  const clock = options.clock ?? systemClock;
  const logger = consoleLogger(config.logLevel);
  const database = openD1Database(env.DB);
  if (!env.EXIGENT_LOG_SIGNING_KEY) {
    throw new ConfigError('Invalid configuration:\n  EXIGENT_LOG_SIGNING_KEY: missing; set it with `wrangler secret put EXIGENT_LOG_SIGNING_KEY` (see README)');
  }
  const logSigner = await logSignerFromPem(env.EXIGENT_LOG_SIGNING_KEY, config.logOrigin, 'EXIGENT_LOG_SIGNING_KEY');
  const logWriter = options.logWriter?.(database, clock) ?? remoteLogWriter(env.LOG, database);
  return {
    config,
    database,
    clock,
    logger,
    logWriter,
    logSigner,
    checkpointIssuer: options.checkpointIssuer?.({ database, clock, logger, logWriter, logSigner }) ?? remoteCheckpointIssuer(env.LOG),
    hub: durableObjectHub(env.LIVE, logger),
    attachments: r2AttachmentStore(env.ATTACHMENTS),
    // An operator's own presets are a deploy-time choice on Workers: edit config/legal-instruments.json and deploy.
    instruments: parseInstruments(JSON.stringify(shippedInstruments), 'config/legal-instruments.json'),
    signatures: { verify: ed25519Verify },
  };
}

/** One set of services per isolate (and per Durable Object), built on first use. */
export function servicesCache(build: () => Promise<WorkerServices>): () => Promise<WorkerServices> {
  let services: Promise<WorkerServices> | undefined;
  return () => {
    services ??= build();
    // A failed build (a bad setting) is retried on the next request, after the operator fixed it.
    services.catch(() => (services = undefined));
    return services;
  };
}
