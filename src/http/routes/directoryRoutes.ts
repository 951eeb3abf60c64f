/** @module HTTP routes for the directory: countries, agencies, users, invitations and counterpart search. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { createInvitation, listPendingInvitations } from '../../auth/enrolments';
import { changeUserRole, disableUser } from '../../auth/userAccess';
import { createAgency, listAgencies, setAgencyDutyEmail } from '../../directory/agencies';
import { createCountry, listCountries } from '../../directory/countries';
import { listUsers } from '../../directory/users';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import {
  AgencyKindSchema,
  CountryCodeSchema,
  DisplayNameSchema,
  EmailSchema,
  FreeText,
  IdParam,
  jsonBody,
  jsonResponse,
  NameText,
  RoleSchema,
  UserSchema,
} from '../schemas';
import { validationHook } from '../validationHook';

const CountrySchema = z.object({ code: z.string(), name: z.string() }).openapi('Country');
const AgencySchema = z
  .object({ id: z.string(), name: z.string(), countryCode: z.string(), kind: AgencyKindSchema, dutyEmail: z.string().nullable() })
  .openapi('Agency');
const InvitationSchema = z.object({ id: z.string(), url: z.string(), expiresAt: z.number() }).openapi('Invitation');
const PendingInvitationSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    role: RoleSchema,
    agencyId: z.string().nullable(),
    createdAt: z.number(),
    expiresAt: z.number(),
  })
  .openapi('PendingInvitation');
const CounterpartSchema = z
  .object({ id: z.string(), displayName: z.string(), agencyName: z.string().nullable(), countryCode: z.string().nullable() })
  .openapi('Counterpart');

export function directoryRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute('any_user', { method: 'get', path: '/countries', summary: 'Countries', responses: { 200: jsonResponse(z.array(CountrySchema), 'Countries') } }),
    async (c) => c.json(await listCountries(c.get('services')), 200),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/countries',
      summary: 'Register a country',
      request: jsonBody(z.strictObject({ code: CountryCodeSchema, name: NameText.min(2).max(100) })),
      responses: { 201: jsonResponse(CountrySchema, 'Created') },
    }),
    async (c) => c.json(await createCountry(c.get('services'), c.req.valid('json')), 201),
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'get',
      path: '/agencies',
      summary: 'Agencies, optionally by country and kind',
      request: { query: z.strictObject({ country: CountryCodeSchema.optional(), kind: AgencyKindSchema.optional() }) },
      responses: { 200: jsonResponse(z.array(AgencySchema), 'Agencies') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listAgencies(c.get('services'), { countryCode: q.country, kind: q.kind }), 200);
    },
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/agencies',
      summary: 'Create an agency (at most one NCB per country)',
      request: jsonBody(
        z.strictObject({
          name: NameText.min(2).max(200),
          countryCode: CountryCodeSchema,
          kind: AgencyKindSchema,
          dutyEmail: EmailSchema.nullable().optional(),
        }),
      ),
      responses: { 201: jsonResponse(AgencySchema, 'Created') },
    }),
    async (c) => c.json(await createAgency(c.get('services'), c.req.valid('json')), 201),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'patch',
      path: '/agencies/{id}',
      summary: "Set an agency's duty e-mail address",
      request: { params: IdParam, ...jsonBody(z.strictObject({ dutyEmail: EmailSchema.nullable() })) },
      responses: { 200: jsonResponse(AgencySchema, 'Updated') },
    }),
    async (c) =>
      c.json(await setAgencyDutyEmail(c.get('services'), { agencyId: c.req.valid('param').id, dutyEmail: c.req.valid('json').dutyEmail }), 200),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'get',
      path: '/users',
      summary: 'Users, with filters',
      request: {
        query: z.strictObject({
          role: RoleSchema.optional(),
          agencyId: z.string().max(100).optional(),
          country: CountryCodeSchema.optional(),
          status: z.enum(['active', 'disabled']).optional(),
          q: z.string().max(100).optional(),
        }),
      },
      responses: { 200: jsonResponse(z.array(UserSchema), 'Users') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listUsers(c.get('services'), { role: q.role, agencyId: q.agencyId, countryCode: q.country, status: q.status, query: q.q }), 200);
    },
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/users/{id}/disable',
      summary: 'Disable a user; their sessions end at once',
      request: { params: IdParam, ...jsonBody(z.strictObject({ reason: FreeText.min(3).max(500) })) },
      responses: { 200: jsonResponse(UserSchema, 'Disabled') },
    }),
    async (c) =>
      c.json(
        await disableUser(c.get('services'), { userId: c.req.valid('param').id, actor: c.get('actor')!, reason: c.req.valid('json').reason }),
        200,
      ),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'patch',
      path: '/users/{id}/role',
      summary: "Change a user's role (and agency)",
      request: { params: IdParam, ...jsonBody(z.strictObject({ role: RoleSchema, agencyId: z.string().max(100).nullable().optional() })) },
      responses: { 200: jsonResponse(UserSchema, 'Changed') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(
        await changeUserRole(c.get('services'), { userId: c.req.valid('param').id, role: body.role, agencyId: body.agencyId, actor: c.get('actor')! }),
        200,
      );
    },
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/invitations',
      summary: 'Invite a user: returns a single-use enrolment link',
      request: jsonBody(
        z.strictObject({ email: EmailSchema, displayName: DisplayNameSchema, role: RoleSchema, agencyId: z.string().max(100).nullable() }),
      ),
      responses: { 201: jsonResponse(InvitationSchema, 'Invitation link (shown once)') },
    }),
    async (c) => {
      const link = await createInvitation(c.get('services'), { ...c.req.valid('json'), createdBy: c.get('actor')!.userId });
      return c.json({ id: link.id, url: link.url, expiresAt: link.expiresAt }, 201);
    },
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'get',
      path: '/invitations',
      summary: 'Pending invitations',
      responses: { 200: jsonResponse(z.array(PendingInvitationSchema), 'Pending invitations') },
    }),
    async (c) => c.json(await listPendingInvitations(c.get('services')), 200),
  );

  app.openapi(
    guardedRoute(['investigator', 'ncb_officer', 'compliance', 'admin'], {
      method: 'get',
      path: '/investigators',
      summary: 'Search enrolled investigators (counterparts) by country and name',
      request: { query: z.strictObject({ country: CountryCodeSchema.optional(), q: z.string().max(100).optional() }) },
      responses: { 200: jsonResponse(z.array(CounterpartSchema), 'Investigators') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const found = await listUsers(c.get('services'), { role: 'investigator', status: 'active', countryCode: q.country, query: q.q });
      return c.json(found.map((u) => ({ id: u.id, displayName: u.displayName, agencyName: u.agencyName, countryCode: u.countryCode })), 200);
    },
  );

  return app;
}
