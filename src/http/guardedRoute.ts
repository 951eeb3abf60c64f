/**
 * @module Every API route declares who may call it. `guardedRoute` attaches the role check (run before
 * validation, so a refused caller learns nothing about the input) and records the roles in the OpenAPI
 * document as `x-exigent-roles`, from which the role × route matrix test is driven.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { ROLES, type Role } from '../directory/tables';
import { Forbidden, Unauthenticated } from '../errors';
import type { AppEnv } from './appEnv';
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from './problem';

export type Allowed = 'anonymous' | 'any_user' | readonly Role[];

/** The roles a route admits, as published: 'anonymous' means anyone, signed in or not. */
export function allowedRoles(allowed: Allowed): Array<Role | 'anonymous'> {
  if (allowed === 'anonymous') return ['anonymous', ...ROLES];
  if (allowed === 'any_user') return [...ROLES];
  return [...allowed];
}

export function authorize(allowed: Allowed) {
  return createMiddleware<AppEnv>(async function authorize(c, next) {
    if (allowed !== 'anonymous') {
      const actor = c.get('actor');
      if (!actor) throw new Unauthenticated('Sign in with your passkey to use this endpoint');
      if (allowed !== 'any_user' && !allowed.includes(actor.role)) {
        throw new Forbidden(`This endpoint is for ${allowed.join(', ')}; your role is ${actor.role}`);
      }
    }
    await next();
  });
}

const problemContent = { content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };

const STANDARD_ERRORS = {
  400: { description: 'Invalid request', ...problemContent },
  401: { description: 'Not signed in', ...problemContent },
  403: { description: 'Role not allowed', ...problemContent },
  404: { description: 'Not found', ...problemContent },
  409: { description: 'Conflict', ...problemContent },
  422: { description: 'Rejected by a rule', ...problemContent },
  429: { description: 'Rate limited', ...problemContent },
} as const;

/**
 * @example
 * const route = guardedRoute(['admin'], { method: 'post', path: '/admin/countries', request: {...}, responses: {...} });
 * app.openapi(route, async (c) => c.json(await createCountry(c.get('services'), c.req.valid('json')), 201));
 */
export function guardedRoute<R extends Omit<RouteConfig, 'middleware'>>(allowed: Allowed, config: R) {
  const roles = allowedRoles(allowed);
  return createRoute({
    ...config,
    middleware: [authorize(allowed)] as const,
    description: `${config.description ?? ''}\n\nAllowed: ${roles.join(', ')}.`.trim(),
    'x-exigent-roles': roles,
    responses: { ...STANDARD_ERRORS, ...config.responses },
  });
}
