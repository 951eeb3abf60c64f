/** @module Composes the HTTP application: middleware order, the /api/v1 routers, OpenAPI document, docs and health check. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { inMemoryRateLimiters, type RateLimiterFactory } from '../auth/rateLimiter';
import type { Services } from '../runtime/services';
import { apiDocs } from './apiDocs';
import type { AppEnv } from './appEnv';
import type { LiveStreams } from './liveStreams';
import { errorHandler } from './errorHandler';
import { logRequests, requireSameOrigin, resolveActor } from './middleware';
import { preAuthRoutes, type RouteMatcher } from './preAuthRoutes';
import { problemResponse } from './problem';
import { authRoutes } from './routes/authRoutes';
import { directoryRoutes } from './routes/directoryRoutes';
import { logRoutes } from './routes/logRoutes';
import { complianceRoutes } from './routes/complianceRoutes';
import { formalRequestRoutes } from './routes/formalRequestRoutes';
import { ncbRoutes } from './routes/ncbRoutes';
import { relayRoutes } from './routes/relayRoutes';
import { runtimeRoutes } from './routes/runtimeRoutes';
import { urgentRoutes } from './routes/urgentRoutes';
import { portableBodyReader, requestBodies, type BodyReader } from './requestBodies';
import { attachmentUploadQuota } from './uploadQuota';
import { validationHook } from './validationHook';
import { webApp, type WebAssets } from './webApp';

const ATTACHMENT_UPLOAD = /^\/api\/v1\/conversations\/[^/]+\/attachments$/;

export interface AppOptions {
  /** The caller's network address (runtime-specific), for rate limiting. */
  clientAddress: (c: Context<AppEnv>) => string;
  /** Loads Scalar's standalone browser bundle (runtime-specific: a file on Node, an asset on Workers). */
  loadScalarBundle: () => Promise<string>;
  /** Where device streams and the NCB inbox stream terminate (this process on Node, Durable Objects on Workers). */
  liveStreams: LiveStreams;
  /** The bundled web app (built by esbuild on Node, a static asset on Workers). */
  loadWebApp: () => Promise<WebAssets>;
  /** Process figures for operators (memory, uptime); runtime-specific. */
  runtimeStats: () => Record<string, number>;
  /** Defaults to hono/body-limit. */
  readRequestBody?: BodyReader;
  /** Where rate limits are counted; defaults to this process's memory (a runtime with many isolates shares them). */
  rateLimiters?: RateLimiterFactory;
}

/**
 * @example
 * const app = createApp(services, { clientAddress: (c) => getConnInfo(c).remote.address ?? 'unknown' });
 * serve({ fetch: app.fetch, port: 8787 });
 */
export function createApp(services: Services, options: AppOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const rateLimiters = options.rateLimiters ?? inMemoryRateLimiters(services.clock);
  const authLimiter = rateLimiters({ limit: services.config.authRateLimitPerMinute, windowMs: 60_000 });
  const rateLimitAuth = createMiddleware<AppEnv>(async function rateLimitAuth(c, next) {
    await authLimiter.hit(options.clientAddress(c));
    await next();
  });
  // Each challenge is a stored row (an urgent contact's carries its whole draft): a signed-in user's are counted too.
  const challengeLimiter = rateLimiters({ limit: services.config.challengeRatePerMinute, windowMs: 60_000, what: 'passkey challenges' });

  app.use('*', requestId());
  app.use('*', async function echoRequestId(c, next) {
    await next();
    // Also on error responses, which onError builds afresh.
    c.res.headers.set('x-request-id', c.get('requestId'));
    // A refused request's large body may still be on the wire; Node gives up draining it after a moment and drops
    // the socket, which would fail the client's *next* request. Close the connection deliberately instead. A chunked
    // body's size is unknown: treat it as large.
    const largeBody = Number(c.req.header('content-length') ?? 0) > 16_384 || c.req.header('transfer-encoding') !== undefined;
    if (c.res.status === 413 || (c.res.status >= 400 && largeBody)) c.res.headers.set('connection', 'close');
  });
  app.use('*', async function provideServices(c, next) {
    c.set('services', services);
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // libsodium runs as WebAssembly in the browser; no inline or eval'd script is allowed.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      // HSTS only makes sense (and is only honoured) over https.
      strictTransportSecurity: services.config.origin.startsWith('https:') ? 'max-age=63072000; includeSubDomains' : false,
    }),
  );
  app.use('*', logRequests);
  app.use('/api/*', requireSameOrigin);
  // The session comes from the cookie alone, so the caller is known before any body is read.
  app.use('/api/*', resolveActor);
  // Read from the OpenAPI registry once every router below is mounted (the first request comes after).
  let isPreAuthRoute: RouteMatcher | undefined;
  app.use(
    '/api/*',
    requestBodies({
      readBody: options.readRequestBody ?? portableBodyReader,
      maxBodyBytes: services.config.maxBodyBytes,
      // Encrypted attachments are the one kind of large body; everything else stays small.
      maxAttachmentBytes: services.config.maxAttachmentBytes,
      maxBodiesInFlightBytes: services.config.maxBodiesInFlightBytes,
      isPreAuthRoute: (method, path) => (isPreAuthRoute ??= preAuthRoutes(app.openAPIRegistry))(method, path),
      isAttachmentUpload: (method, path) => method === 'POST' && ATTACHMENT_UPLOAD.test(path),
      chargeUpload: attachmentUploadQuota(rateLimiters, services.config),
    }),
  );

  app.get('/healthz', async (c) => {
    const ok = await services.database.ping().catch(() => false);
    return ok ? c.json({ status: 'ok' }, 200) : problemResponse({ title: 'Unavailable', status: 503, detail: 'The database does not answer' });
  });

  app.route('/api/v1', authRoutes({ rateLimit: rateLimitAuth, challengeLimiter }));
  app.route('/api/v1', directoryRoutes());
  app.route('/api/v1', logRoutes());
  app.route('/api/v1', relayRoutes(services, { liveStreams: options.liveStreams, rateLimiters }));
  app.route('/api/v1', urgentRoutes({ challengeLimiter }));
  app.route('/api/v1', ncbRoutes({ liveStreams: options.liveStreams }));
  app.route('/api/v1', formalRequestRoutes());
  app.route('/api/v1', complianceRoutes());
  app.route('/api/v1', runtimeRoutes({ runtimeStats: options.runtimeStats }));

  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Exigent API',
      version: '1',
      description: 'Urgent-contact channel for police investigators. Authentication is a passkey session cookie; every route lists the roles allowed.',
    },
  });
  app.route('/docs', apiDocs({ loadScalarBundle: options.loadScalarBundle }));
  app.route('/', webApp({ loadWebApp: options.loadWebApp }));

  app.notFound((c) =>
    problemResponse({ title: 'Not found', status: 404, detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}`, requestId: c.get('requestId') }),
  );
  app.onError(errorHandler);
  return app;
}

export type ExigentApp = ReturnType<typeof createApp>;
