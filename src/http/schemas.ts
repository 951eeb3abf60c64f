/** @module zod schemas shared by several routes (WebAuthn JSON shapes, ids, users). */
import { z } from '@hono/zod-openapi';
import { ROLES, AGENCY_KINDS, USER_STATUSES } from '../directory/tables';

export const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) });

const base64url = z.string().max(20_000).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

/** RegistrationResponseJSON (WebAuthn L3 §5.1 toJSON); the cryptographic checks are simplewebauthn's job. */
export const RegistrationResponseSchema = z
  .object({
    id: base64url.min(1),
    rawId: base64url.min(1),
    type: z.literal('public-key'),
    response: z
      .object({ clientDataJSON: base64url, attestationObject: base64url, transports: z.array(z.string().max(32)).max(10).optional() })
      .loose(),
    clientExtensionResults: z.object({}).loose(),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  })
  .openapi('RegistrationResponse');

/** AuthenticationResponseJSON (WebAuthn L3 §5.1 toJSON). */
export const AuthenticationResponseSchema = z
  .object({
    id: base64url.min(1),
    rawId: base64url.min(1),
    type: z.literal('public-key'),
    response: z
      .object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() })
      .loose(),
    clientExtensionResults: z.object({}).loose(),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  })
  .openapi('AuthenticationResponse');

export const CeremonyOptionsSchema = z
  .object({ challengeId: z.string(), options: z.record(z.string(), z.unknown()) })
  .openapi('CeremonyOptions');

export const RoleSchema = z.enum(ROLES).openapi('Role');
export const AgencyKindSchema = z.enum(AGENCY_KINDS).openapi('AgencyKind');

export const UserSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    email: z.string(),
    role: RoleSchema,
    status: z.enum(USER_STATUSES),
    agencyId: z.string().nullable(),
    agencyName: z.string().nullable(),
    countryCode: z.string().nullable(),
    createdAt: z.number(),
  })
  .openapi('User');

export const CountryCodeSchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as UA')
  .transform((s) => s.toUpperCase());

export const EmailSchema = z.email('must be an e-mail address').max(254).transform((s) => s.toLowerCase());
export const DisplayNameSchema = z.string().trim().min(2, 'must be at least 2 characters').max(120);

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const NoContent = { description: 'Done' };
