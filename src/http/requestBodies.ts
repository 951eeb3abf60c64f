/**
 * @module Which request bodies are read at all, how large each may be, and how many bytes of them this process holds
 * at once. Runs after the session is resolved (the cookie needs no body), so a body is read only for a known caller,
 * or for the few routes that exist to become one (the ceremonies of src/http/preAuthRoutes.ts), with a small limit.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { DomainError, PayloadTooLarge, Unauthenticated, Unavailable } from '../errors';
import type { AppEnv } from './appEnv';
import type { RouteMatcher } from './preAuthRoutes';
import type { ChargeUpload } from './uploadQuota';

/**
 * Reads the request body within a size limit, before the route runs, and leaves it readable through `c.req`. The
 * portable one is hono/body-limit; a runtime may bring a cheaper one (node-server: reading the socket directly). A
 * body its client stops sending halfway fails here with {@link bodyCutOff}, a 400, not inside a handler as a 500.
 */
export type BodyReader = (maxBytes: number, onTooLarge: () => never) => MiddlewareHandler;

export const bodyCutOff = () => new HTTPException(400, { message: 'The request body ended before all of it arrived (the client stopped sending)' });

export const portableBodyReader: BodyReader = (maxSize, onTooLarge) => {
  const limit = bodyLimit({ maxSize, onError: onTooLarge });
  return async function readBody(c, next) {
    try {
      // Read here, into Hono's body cache (c.req.json() and the rest use it), so that the bytes are read while this
      // request's share of the in-flight budget is reserved, and a failure to read them is known for what it is.
      await limit(c, async () => void (await c.req.arrayBuffer()));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw bodyCutOff();
    }
    return next();
  };
};

/**
 * A WebAuthn ceremony's JSON (attestation 'none') is a few KiB; this leaves room for authenticators that send more,
 * and is all an anonymous caller can make the server read.
 */
export const PRE_AUTH_BODY_BYTES = 64 * 1024;

/** A refused caller comes back soon: bodies in flight are read within seconds. */
const RETRY_AFTER_SECONDS = 1;

const WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestBodyOptions {
  readBody: BodyReader;
  /** Largest body of a signed-in caller, of an attachment upload, and the bytes all bodies in flight may add up to. */
  maxBodyBytes: number;
  maxAttachmentBytes: number;
  maxBodiesInFlightBytes: number;
  isPreAuthRoute: RouteMatcher;
  isAttachmentUpload: RouteMatcher;
  /** The uploader's quota, charged before an attachment's body is read. */
  chargeUpload: ChargeUpload;
}

/**
 * The body's length as the request declares it; `undefined` when it is unknown until read: sent chunked, or without
 * a Content-Length a runtime can be trusted to add (Workers pass chunked bodies on without either header).
 */
function declaredLength(method: string, header: (name: string) => string | undefined): number | undefined {
  if (WITHOUT_BODY.has(method)) return 0;
  const length = header('content-length');
  // RFC 9112 §6.3: a Transfer-Encoding overrides any Content-Length.
  if (length === undefined || header('transfer-encoding') !== undefined) return undefined;
  const bytes = Number(length);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * @example
 * app.use('/api/*', resolveActor);
 * app.use('/api/*', requestBodies({ readBody: portableBodyReader, ...limits, isPreAuthRoute, isAttachmentUpload, chargeUpload }));
 */
export function requestBodies(options: RequestBodyOptions): MiddlewareHandler<AppEnv> {
  const { readBody, isPreAuthRoute, isAttachmentUpload, chargeUpload } = options;
  const limited = (maxBytes: number, what: string) => {
    const tooLarge = (): never => {
      throw new PayloadTooLarge(`The ${what} exceeds the limit of ${maxBytes} bytes`);
    };
    return { maxBytes, tooLarge, read: readBody(maxBytes, tooLarge) };
  };
  const preAuth = limited(Math.min(PRE_AUTH_BODY_BYTES, options.maxBodyBytes), 'request body of a caller without a session');
  const signedIn = limited(options.maxBodyBytes, 'request body');
  const attachment = limited(options.maxAttachmentBytes, 'attachment');
  // Per process on Node; per isolate on Workers, where each isolate has its own memory to protect.
  let bytesInFlight = 0;

  return createMiddleware<AppEnv>(async function requestBody(c, next) {
    const { method, path } = c.req;
    const declared = declaredLength(method, (name) => c.req.header(name));
    if (declared === 0) return next();
    const actor = c.get('actor');
    // Refused before a byte of the body is read: the caller is unknown and the route is not a ceremony.
    if (!actor && !isPreAuthRoute(method, path)) {
      throw new Unauthenticated('Sign in with your passkey first: a request that may carry a body is refused unread from a caller without a session');
    }
    const body = !actor ? preAuth : isAttachmentUpload(method, path) ? attachment : signedIn;
    if (declared !== undefined && declared > body.maxBytes) return body.tooLarge();
    // A chunked body may turn out as large as the limit: it is reserved and charged as if it were.
    const reserved = declared ?? body.maxBytes;
    if (actor && body === attachment) await chargeUpload(actor.userId, reserved);
    if (bytesInFlight + reserved > options.maxBodiesInFlightBytes) {
      throw new Unavailable(
        `The server is holding as many request bodies as it may (${options.maxBodiesInFlightBytes} bytes); try again in ${RETRY_AFTER_SECONDS} s`,
        RETRY_AFTER_SECONDS,
      );
    }
    bytesInFlight += reserved;
    try {
      await body.read(c, next);
    } finally {
      bytesInFlight -= reserved;
    }
  });
}
