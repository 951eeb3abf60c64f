/** @module zod schemas shared by several routes (WebAuthn JSON shapes, ids, users, dates, names and free text). */
import { z } from '@hono/zod-openapi';
import { ROLES, AGENCY_KINDS, USER_STATUSES } from '../directory/tables';

/**
 * Marks a refinement about what a well-formed value *means* (a date out of range) rather than its shape:
 * validationHook answers a request whose every issue carries it with 422, as the domain's `Invalid` would.
 */
export const UNPROCESSABLE = { unprocessable: true } as const;

/** Nothing Exigent records predates 2000 (it did not exist); a deadline or filter before it is a typo. */
const EARLIEST_DATE = Date.UTC(2000, 0, 1);
/** How far ahead a date may lie: longer than any legal instrument's deadline, far inside JavaScript's date range. */
const HORIZON_YEARS = 10;

function latestDate(): number {
  const now = new Date();
  return now.setUTCFullYear(now.getUTCFullYear() + HORIZON_YEARS);
}
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const inDateRange = (at: number) => at >= EARLIEST_DATE && at <= latestDate();
const dateRangeMessage = () => `must lie between 2000-01-01 and ${isoDay(latestDate())} (${HORIZON_YEARS} years from now)`;

/**
 * A point in time as milliseconds since 1970-01-01 UTC, between 2000-01-01 and ten years from now: every date a client
 * sends is checked here, so none can reach `new Date(…).toISOString()` out of JavaScript's range (a 500).
 */
export const TimestampSchema = z
  .number({ error: 'must be a time in milliseconds since 1970-01-01 UTC' })
  .int({ error: 'must be a whole number of milliseconds', abort: true })
  .refine(inDateRange, { error: dateRangeMessage, params: UNPROCESSABLE })
  .openapi({ description: 'Milliseconds since 1970-01-01 UTC, between 2000-01-01 and ten years from now' });

/** A calendar day such as 2026-11-01 (UTC), within the same range as {@link TimestampSchema}. */
export const DaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date such as 2026-11-01', abort: true })
  // Date.parse rolls 2026-02-31 over into March; a real calendar day survives the round trip unchanged.
  .refine((d) => !Number.isNaN(Date.parse(d)) && isoDay(Date.parse(d)) === d, { error: 'is not a calendar date', abort: true })
  .refine((d) => inDateRange(Date.parse(d)), { error: dateRangeMessage, params: UNPROCESSABLE });

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

/*
 * Characters a person's text must not carry into CSV, PDF, e-mail and the UI: C0/C1 controls (NUL, CR, LF, DEL…),
 * the Unicode line and paragraph separators, the bidirectional embeddings, overrides and isolates that reorder what a
 * reader sees (Trojan Source, CVE-2021-42574), and unpaired UTF-16 surrogates, which are no text at all. The
 * directional *marks* (U+200E, U+200F, U+061C) stay allowed: they only nudge mixed Arabic/Hebrew and Latin text.
 */
const CONTROL = /\p{Cc}/u;
const SEPARATOR = /[\u2028\u2029]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
const UNPAIRED_SURROGATE = /\p{Cs}/u;
/** Free text keeps tabs and line breaks; the other characters above stay forbidden. */
const TEXT_LAYOUT = /[\t\n\r\u2028\u2029]/u;

const NAME_RULE = 'names may not contain control characters (U+0000–U+001F, U+007F–U+009F: NUL, tab, CR, LF…), line separators (U+2028, U+2029) or bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069)';
const TEXT_RULE = 'text may keep tabs and line breaks but no other control characters (U+0000–U+001F, U+007F–U+009F) and no bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069)';

/** The first character `allowLayout` does not permit, named with its code point and class; undefined when there is none. */
function forbiddenCharacter(value: string, allowLayout: boolean): string | undefined {
  for (const char of value) {
    if (allowLayout && TEXT_LAYOUT.test(char)) continue;
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    if (CONTROL.test(char)) return `${code}, a control character`;
    if (SEPARATOR.test(char)) return `${code}, a line separator`;
    if (BIDI_CONTROL.test(char)) return `${code}, a bidirectional formatting character`;
    if (UNPAIRED_SURROGATE.test(char)) return `${code}, an unpaired surrogate`;
  }
  return undefined;
}

/** The one refinement behind every name and text field: refuses what {@link forbiddenCharacter} finds, as a 422. */
const refuseCharacters = (allowLayout: boolean) =>
  z.string().refine((value) => forbiddenCharacter(value, allowLayout) === undefined, {
    error: (issue) => `contains ${forbiddenCharacter(String(issue.input), allowLayout)}: ${allowLayout ? TEXT_RULE : NAME_RULE}`,
    params: UNPROCESSABLE,
    abort: true,
  });

/** A single line whose exact characters matter (a witness's key name is hashed into its key id): checked, not rewritten. */
export const VerbatimLine = refuseCharacters(false);
/** Name-like fields (people, agencies, countries, devices, passkeys, case references): one line, in NFC, trimmed. */
export const NameText = VerbatimLine.normalize('NFC').trim();
/** Free text (narratives, reasons, comments): tabs and line breaks allowed, line endings made LF, in NFC, trimmed. */
export const FreeText = refuseCharacters(true)
  .overwrite((value) => value.replace(/\r\n?/g, '\n'))
  .normalize('NFC')
  .trim();

export const EmailSchema = z.email('must be an e-mail address').max(254).transform((s) => s.toLowerCase());
export const DisplayNameSchema = NameText.min(2, 'must be at least 2 characters').max(120);

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const NoContent = { description: 'Done' };
