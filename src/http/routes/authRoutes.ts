/** @module HTTP routes for enrolment, login, logout and the signed-in user's own passkeys. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { beginEnrolment, completeEnrolment } from '../../auth/enrolWithPasskey';
import { beginLogin, completeLogin } from '../../auth/loginWithPasskey';
import { beginAddPasskey, completeAddPasskey, listPasskeys, renamePasskey, revokePasskey } from '../../auth/passkeys';
import type { RateLimiter } from '../../auth/rateLimiter';
import { endSession, sessionTokenHash } from '../../auth/sessions';
import { findUser } from '../../directory/users';
import { NotFound } from '../../errors';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import {
  AuthenticationResponseSchema,
  CeremonyOptionsSchema,
  DisplayNameSchema,
  EmailSchema,
  IdParam,
  jsonBody,
  jsonResponse,
  NameText,
  NoContent,
  RegistrationResponseSchema,
  UserSchema,
} from '../schemas';
import { clearSessionCookie, writeSessionCookie } from '../sessionCookie';
import { validationHook } from '../validationHook';

const Token = z.string().min(16).max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be the token from the enrolment link');
const PasskeyName = NameText.min(1).max(80);

const PasskeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    deviceType: z.string(),
    backedUp: z.boolean(),
    transports: z.array(z.string()),
    createdAt: z.number(),
    lastUsedAt: z.number().nullable(),
  })
  .openapi('Passkey');

const SignedIn = z.object({ user: UserSchema }).openapi('SignedIn');

/** `rateLimit` counts every /auth/* request per client address; `challengeLimiter` a signed-in user's new challenges. */
export function authRoutes(options: { rateLimit: import('hono').MiddlewareHandler<AppEnv>; challengeLimiter: RateLimiter }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('/auth/*', options.rateLimit);

  app.openapi(
    guardedRoute('anonymous', {
      method: 'post',
      path: '/auth/enrolment/options',
      summary: 'Start registering a passkey from an enrolment link',
      request: jsonBody(z.strictObject({ token: Token, email: EmailSchema.optional(), displayName: DisplayNameSchema.optional() })),
      responses: { 200: jsonResponse(CeremonyOptionsSchema, 'WebAuthn creation options') },
    }),
    async (c) => c.json(await beginEnrolment(c.get('services'), c.req.valid('json')), 200),
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'post',
      path: '/auth/enrolment/complete',
      summary: 'Finish enrolment: verify the new passkey, create the account and sign in',
      request: jsonBody(
        z.strictObject({ token: Token, challengeId: z.string().max(100), response: RegistrationResponseSchema, passkeyName: PasskeyName.optional() }),
      ),
      responses: { 201: jsonResponse(SignedIn, 'Account created and signed in') },
    }),
    async (c) => {
      const services = c.get('services');
      const body = c.req.valid('json');
      const result = await completeEnrolment(services, { ...body, response: body.response as unknown as RegistrationResponseJSON });
      writeSessionCookie(c, services.config, result.session.token, result.session.expiresAt);
      const user = await findUser(services, result.userId);
      if (!user) throw new NotFound('User vanished after enrolment');
      return c.json({ user }, 201);
    },
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'post',
      path: '/auth/login/options',
      summary: 'Start a passkey login',
      responses: { 200: jsonResponse(CeremonyOptionsSchema, 'WebAuthn request options') },
    }),
    async (c) => c.json(await beginLogin(c.get('services')), 200),
  );

  app.openapi(
    guardedRoute('anonymous', {
      method: 'post',
      path: '/auth/login/complete',
      summary: 'Finish a passkey login and receive a session cookie',
      request: jsonBody(z.strictObject({ challengeId: z.string().max(100), response: AuthenticationResponseSchema })),
      responses: { 200: jsonResponse(SignedIn, 'Signed in') },
    }),
    async (c) => {
      const services = c.get('services');
      const body = c.req.valid('json');
      const result = await completeLogin(services, { ...body, response: body.response as unknown as AuthenticationResponseJSON });
      // Session rotation: a login always replaces whatever session this browser held.
      const previous = c.get('sessionToken');
      if (previous) await endSession(services, { userId: c.get('actor')!.userId, token: previous });
      writeSessionCookie(c, services.config, result.session.token, result.session.expiresAt);
      const user = await findUser(services, result.userId);
      if (!user) throw new NotFound('User vanished after login');
      return c.json({ user }, 200);
    },
  );

  app.openapi(
    guardedRoute('any_user', { method: 'post', path: '/auth/logout', summary: 'End this session', responses: { 204: NoContent } }),
    async (c) => {
      const token = c.get('sessionToken');
      if (token) await endSession(c.get('services'), { userId: c.get('actor')!.userId, token });
      clearSessionCookie(c, c.get('services').config);
      return c.body(null, 204);
    },
  );

  app.openapi(
    guardedRoute('any_user', { method: 'get', path: '/me', summary: 'The signed-in user', responses: { 200: jsonResponse(UserSchema, 'You') } }),
    async (c) => {
      const user = await findUser(c.get('services'), c.get('actor')!.userId);
      if (!user) throw new NotFound('User not found');
      return c.json(user, 200);
    },
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'get',
      path: '/me/passkeys',
      summary: 'Your active passkeys',
      responses: { 200: jsonResponse(z.array(PasskeySchema), 'Passkeys') },
    }),
    async (c) => c.json(await listPasskeys(c.get('services'), c.get('actor')!.userId), 200),
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'post',
      path: '/me/passkeys/options',
      summary: 'Start adding another passkey',
      responses: { 200: jsonResponse(CeremonyOptionsSchema, 'WebAuthn creation options') },
    }),
    async (c) => {
      await options.challengeLimiter.hit(c.get('actor')!.userId);
      return c.json(await beginAddPasskey(c.get('services'), c.get('actor')!), 200);
    },
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'post',
      path: '/me/passkeys',
      summary: 'Finish adding another passkey',
      request: jsonBody(z.strictObject({ challengeId: z.string().max(100), response: RegistrationResponseSchema, name: PasskeyName })),
      responses: { 201: jsonResponse(PasskeySchema, 'The new passkey') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const passkey = await completeAddPasskey(c.get('services'), {
        actor: c.get('actor')!,
        challengeId: body.challengeId,
        name: body.name,
        response: body.response as unknown as RegistrationResponseJSON,
      });
      return c.json(passkey, 201);
    },
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'patch',
      path: '/me/passkeys/{id}',
      summary: 'Rename one of your passkeys',
      request: { params: IdParam, ...jsonBody(z.strictObject({ name: PasskeyName })) },
      responses: { 200: jsonResponse(PasskeySchema, 'Renamed') },
    }),
    async (c) =>
      c.json(await renamePasskey(c.get('services'), { actor: c.get('actor')!, id: c.req.valid('param').id, name: c.req.valid('json').name }), 200),
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'delete',
      path: '/me/passkeys/{id}',
      summary: 'Revoke one of your passkeys (not the last one); the sessions signed in with it end',
      request: { params: IdParam },
      responses: { 204: NoContent },
    }),
    async (c) => {
      const services = c.get('services');
      const { endedSessions } = await revokePasskey(services, { actor: c.get('actor')!, id: c.req.valid('param').id });
      // Revoking the passkey this very session was signed in with signs this browser out as well.
      if (endedSessions.includes(await sessionTokenHash(c.get('sessionToken')!))) clearSessionCookie(c, services.config);
      return c.body(null, 204);
    },
  );

  return app;
}
