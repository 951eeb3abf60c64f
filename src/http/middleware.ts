/** @module Cross-cutting middleware: session resolution, the Origin check against CSRF, and request logging. */
import { createMiddleware } from 'hono/factory';
import { resolveSession } from '../auth/sessions';
import { Forbidden } from '../errors';
import type { AppEnv } from './appEnv';
import { readSessionCookie } from './sessionCookie';

export const resolveActor = createMiddleware<AppEnv>(async function resolveActor(c, next) {
  const services = c.get('services');
  const token = readSessionCookie(c, services.config);
  const actor = token ? await resolveSession(services, token) : undefined;
  c.set('actor', actor);
  c.set('sessionToken', actor ? token : undefined);
  await next();
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Fail-closed CSRF defence: a state-changing request must carry an Origin header equal to ours.
 * SameSite=Strict already stops most cross-site requests; this also covers same-site subdomains.
 */
export const requireSameOrigin = createMiddleware<AppEnv>(async function requireSameOrigin(c, next) {
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header('origin');
    const expected = c.get('services').config.origin;
    if (origin !== expected) {
      throw new Forbidden(origin ? `Cross-origin request refused: Origin ${origin} is not ${expected}` : 'Request refused: the Origin header is required');
    }
  }
  await next();
});

export const logRequests = createMiddleware<AppEnv>(async function logRequests(c, next) {
  const started = performance.now();
  await next();
  // Only method, route pattern and status: paths and bodies may carry identifiers we do not want in logs.
  c.get('services').logger.info(
    {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      userId: c.get('actor')?.userId,
    },
    'request',
  );
});
