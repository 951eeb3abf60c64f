/** @module Starts Exigent on Node: services, HTTP server on the configured port, first-admin link on a fresh database. */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createNodeWebSocket } from '@hono/node-ws';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueCheckpoint } from '../../audit-log/checkpoints';
import { inMemoryRateLimiters } from '../../auth/rateLimiter';
import { createFirstAdminEnrolment, isFreshInstallation } from '../../auth/enrolments';
import { IntegrityFailure } from '../../errors';
import type { Config } from '../../config/loadConfig';
import { createApp } from '../../http/createApp';
import { startScheduler } from '../../scheduler/runDueWork';
import { loadWebApp } from './buildWebApp';
import { nodeLiveStreams } from './nodeLiveStreams';
import { openNodeServices, type NodeServices } from './openServices';
import { readNodeRequestBody } from './readRequestBody';
import { nodeOutboxTransports } from './smtpMailer';

const require = createRequire(import.meta.url);

export interface RunningServer {
  services: NodeServices;
  url: string;
  port: number;
  /** Present when this start created the first-admin link (fresh database); a credential, never logged. */
  firstAdminUrl: string | undefined;
  close(): Promise<void>;
}

export async function startServer(config: Config, overrides: Parameters<typeof openNodeServices>[1] = {}): Promise<RunningServer> {
  const services = await openNodeServices(config, overrides);
  let firstAdminUrl: string | undefined;
  if (await isFreshInstallation(services)) {
    const link = await createFirstAdminEnrolment(services);
    firstAdminUrl = link.url;
    // The link is a credential, so it goes to the caller (main.ts prints it on the operator's terminal) and never into
    // the structured log, which is shipped to stores other people read. The log only records that one was issued.
    services.logger.warn({ expiresAt: new Date(link.expiresAt).toISOString() }, 'first-admin enrolment link issued; printed on the terminal only');
  }
  // node-ws routes upgrade requests through the app, which needs the upgrade helper to be built: resolve lazily.
  const webSockets = createNodeWebSocket({ app: { request: (...args: Parameters<typeof app.request>) => app.request(...args) } as never });
  // One set of limiters for the app and the streams: a message sent over either counts against one budget.
  const rateLimiters = inMemoryRateLimiters(services.clock);
  const app = createApp(services, {
    clientAddress: (c) => getConnInfo(c).remote.address ?? 'unknown',
    loadScalarBundle: () => readFile(require.resolve('@scalar/api-reference/browser/standalone.js'), 'utf8'),
    liveStreams: nodeLiveStreams(services, webSockets, rateLimiters),
    loadWebApp,
    readRequestBody: readNodeRequestBody,
    rateLimiters,
    runtimeStats: () => {
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      return { rssBytes: rss, heapUsedBytes: heapUsed, heapTotalBytes: heapTotal, externalBytes: external, uptimeSeconds: Math.round(process.uptime()) };
    },
  });
  // A checkpoint at start covers anything committed before a crash; then one every few seconds while the log grows.
  // A refusal (the database's history was rewritten) is logged, not fatal: the last honest checkpoint is still served.
  const checkpoint = () => issueCheckpoint(services).catch((error: Error) => logCheckpointFailure(services, error));
  await issueCheckpoint(services).catch((error: Error) => {
    if (!(error instanceof IntegrityFailure)) throw error;
    logCheckpointFailure(services, error);
  });
  const checkpointTimer = setInterval(checkpoint, config.checkpointIntervalMs);
  checkpointTimer.unref();
  const transports = nodeOutboxTransports(config);
  if (!transports.sendMail) services.logger.warn('EXIGENT_SMTP_URL is not set: NCB duty e-mails wait in the outbox until it is');
  const scheduler = startScheduler(services, transports, config.schedulerIntervalMs);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${config.port} on ${config.host} is already in use; set PORT to another port`) : error),
    );
  });
  webSockets.injectWebSocket(server);
  // @hono/node-ws parses the request target with `new URL` outside any try: a malformed one (e.g. "GET //") would
  // be an unhandled rejection that kills the process. Point such requests at a path that simply answers 404.
  server.prependListener('upgrade', (request: IncomingMessage) => {
    try {
      new URL(request.url ?? '/', 'http://localhost');
    } catch {
      request.url = '/api/v1/malformed-request-target';
    }
  });
  const port = (server.address() as AddressInfo).port;
  services.logger.info({ url: `http://${config.host}:${port}`, origin: config.origin }, 'exigent listening');
  return {
    services,
    url: `http://${config.host}:${port}`,
    port,
    firstAdminUrl,
    async close() {
      clearInterval(checkpointTimer);
      await scheduler.stop();
      // Open streams would keep server.close() waiting forever.
      for (const socket of webSockets.wss.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}

function logCheckpointFailure(services: NodeServices, error: Error): void {
  if (error instanceof IntegrityFailure) services.logger.error({ err: error }, 'checkpoint refused: integrity check failed');
  else services.logger.error({ err: error }, 'checkpoint failed');
}
