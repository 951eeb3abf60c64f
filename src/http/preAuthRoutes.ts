/**
 * @module The routes a caller without a session may send a body to: exactly the operations that `guardedRoute`
 * declared 'anonymous' (enrolment and login ceremonies, witness cosignatures), read from the OpenAPI registry so
 * the list cannot drift from the declarations. Every other body from such a caller is refused unread.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';

/** Whether `method path` (a request path such as /api/v1/auth/login/options) is one of those routes. */
export type RouteMatcher = (method: string, path: string) => boolean;

const WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** "/api/v1/things/{id}" → a regex matching one path segment per parameter. */
function pathPattern(openApiPath: string): RegExp {
  const literal = openApiPath.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('[^/]+')}$`);
}

/**
 * @example
 * const isPreAuth = preAuthRoutes(app.openAPIRegistry); // after every router is mounted
 * isPreAuth('POST', '/api/v1/auth/login/options'); // true
 */
export function preAuthRoutes(registry: OpenAPIHono['openAPIRegistry']): RouteMatcher {
  const routes = registry.definitions.flatMap((definition) => {
    if (definition.type !== 'route') return [];
    const method = definition.route.method.toUpperCase();
    const roles = (definition.route as { 'x-exigent-roles'?: readonly string[] })['x-exigent-roles'] ?? [];
    return !WITHOUT_BODY.has(method) && roles.includes('anonymous') ? [{ method, pattern: pathPattern(definition.route.path) }] : [];
  });
  return function isPreAuthRoute(method, path) {
    return routes.some((route) => route.method === method && route.pattern.test(path));
  };
}
