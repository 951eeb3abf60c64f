/** @module HTTP routes of the urgent-contact workflow: prepare and sign the justification, open, read, acknowledge handling, close. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RateLimiter } from '../../auth/rateLimiter';
import { GROUNDS, HANDLING_CODES } from '../../contact-record/tables';
import { acknowledgeHandling, closeContact, getContact, listContacts } from '../../urgent/contacts';
import { MIN_NARRATIVE_CHARS } from '../../urgent/draft';
import { openUrgentContact, prepareUrgentContact } from '../../urgent/openUrgentContact';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import { AuthenticationResponseSchema, FreeText, IdParam, jsonBody, jsonResponse, NameText } from '../schemas';
import { validationHook } from '../validationHook';

const PARTICIPANTS = ['investigator', 'ncb_officer'] as const;

const DraftSchema = z
  .strictObject({
    grounds: z
      .array(z.enum(GROUNDS, { error: `must be one of ${GROUNDS.join(', ')}` }))
      .min(1, 'choose at least one ground')
      .max(3),
    narrative: FreeText.min(MIN_NARRATIVE_CHARS, `explain why the formal channel cannot wait in at least ${MIN_NARRATIVE_CHARS} characters`).max(5000),
    caseReference: NameText.min(1, 'the national case reference is required').max(100),
    offenceCategory: NameText.min(2).max(120),
    requestedCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as PL'),
    counterpartUserIds: z.array(z.string().min(1).max(64)).min(1, 'name at least one counterpart investigator').max(10),
    soughtInformation: FreeText.min(10, 'say what information or action you seek (at least 10 characters)').max(2000),
    handlingCode: z.enum(HANDLING_CODES),
    handlingConditions: FreeText.max(1000).nullish(),
    legalInstrument: z.string().max(64).optional(),
  })
  .openapi('UrgentContactDraft');

const ContactSummary = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'closed']),
    requesterUserId: z.string(),
    requesterName: z.string(),
    requestingCountry: z.string(),
    requestedCountry: z.string(),
    grounds: z.array(z.string()),
    caseReference: z.string(),
    offenceCategory: z.string(),
    handlingCode: z.string(),
    conversationId: z.string(),
    openedAt: z.number(),
    closedAt: z.number().nullable(),
  })
  .openapi('UrgentContactSummary');

const ContactDetail = ContactSummary.extend({
  narrative: z.string(),
  soughtInformation: z.string(),
  handlingConditions: z.string().nullable(),
  legalInstrument: z.string(),
  justification: z.string(),
  justificationHash: z.string(),
  closedBy: z.string().nullable(),
  closeReason: z.string().nullable(),
  counterparts: z.array(z.object({ userId: z.string(), displayName: z.string(), agencyName: z.string().nullable(), handlingAcknowledgedAt: z.number().nullable() })),
  notifications: z.array(
    z.object({
      id: z.string(),
      side: z.string(),
      countryCode: z.string(),
      agencyName: z.string(),
      createdAt: z.number(),
      acknowledgedAt: z.number().nullable(),
      escalationLevel: z.number(),
    }),
  ),
  formalRequest: z.object({ id: z.string(), state: z.string(), instrument: z.string(), deadlineAt: z.number() }).nullable(),
}).openapi('UrgentContact');

/** `challengeLimiter` counts each investigator's step-up challenges (each stores the draft it signs). */
export function urgentRoutes(options: { challengeLimiter: RateLimiter }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute(['investigator'], {
      method: 'post',
      path: '/urgent-contacts/options',
      summary: 'Check a draft and get the canonical justification to sign, with the WebAuthn challenge derived from it',
      request: jsonBody(DraftSchema),
      responses: {
        200: jsonResponse(
          z.object({ challengeId: z.string(), justification: z.record(z.string(), z.unknown()), justificationHash: z.string(), options: z.record(z.string(), z.unknown()) }),
          'Justification and step-up options',
        ),
      },
    }),
    async (c) => {
      await options.challengeLimiter.hit(c.get('actor')!.userId);
      return c.json((await prepareUrgentContact(c.get('services'), c.get('actor')!, c.req.valid('json'))) as never, 200);
    },
  );

  app.openapi(
    guardedRoute(['investigator'], {
      method: 'post',
      path: '/urgent-contacts',
      summary: 'Open the urgent contact with the passkey assertion over its justification (one atomic write)',
      request: jsonBody(z.strictObject({ challengeId: z.string().max(100), response: AuthenticationResponseSchema })),
      responses: {
        201: jsonResponse(
          z.object({
            id: z.string(),
            conversationId: z.string(),
            formalRequestId: z.string(),
            notificationIds: z.array(z.string()),
            justificationHash: z.string(),
            deadlineAt: z.number(),
          }),
          'Opened; Server-Timing reports the atomic write',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { writeMs, commitMs, ...opened } = await openUrgentContact(c.get('services'), c.get('actor')!, {
        challengeId: body.challengeId,
        response: body.response as unknown as AuthenticationResponseJSON,
      });
      c.header('Server-Timing', `write;dur=${writeMs.toFixed(3)};desc="atomic write", commit;dur=${commitMs.toFixed(3)};desc="incl. wait for the log writer"`);
      return c.json(opened, 201);
    },
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'get',
      path: '/urgent-contacts',
      summary: 'Urgent contacts you take part in (investigators) or that concern your country (NCB officers)',
      request: { query: z.object({ status: z.enum(['open', 'closed']).optional() }) },
      responses: { 200: jsonResponse(z.object({ contacts: z.array(ContactSummary) }), 'Contacts') },
    }),
    async (c) => c.json({ contacts: await listContacts(c.get('services'), c.get('actor')!, c.req.valid('query')) }, 200),
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'get',
      path: '/urgent-contacts/{id}',
      summary: 'One urgent contact with its justification, counterparts, NCB notifications and formal request',
      request: { params: IdParam },
      responses: { 200: jsonResponse(ContactDetail, 'Contact') },
    }),
    async (c) => c.json(await getContact(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  app.openapi(
    guardedRoute(['investigator'], {
      method: 'post',
      path: '/urgent-contacts/{id}/handling-acknowledgement',
      summary: 'As a counterpart, acknowledge the handling code under which the information is shared',
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ handlingAcknowledgedAt: z.number() }), 'Acknowledged') },
    }),
    async (c) => c.json(await acknowledgeHandling(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'post',
      path: '/urgent-contacts/{id}/close',
      summary: 'Close the urgent contact: its conversation becomes read-only',
      request: { params: IdParam, ...jsonBody(z.strictObject({ reason: FreeText.min(5, 'give a reason of at least 5 characters').max(1000) })) },
      responses: { 200: jsonResponse(z.object({ id: z.string(), status: z.literal('closed'), closedAt: z.number() }), 'Closed') },
    }),
    async (c) => c.json(await closeContact(c.get('services'), c.get('actor')!, { id: c.req.valid('param').id, reason: c.req.valid('json').reason }), 200),
  );

  app.openapi(
    guardedRoute('any_user', {
      method: 'get',
      path: '/legal-instruments',
      summary: 'Legal-instrument presets and their formal-request deadlines',
      responses: {
        200: jsonResponse(
          z.object({ instruments: z.array(z.object({ id: z.string(), name: z.string(), deadlineHours: z.number(), default: z.boolean().optional(), channels: z.array(z.string()) })) }),
          'Presets',
        ),
      },
    }),
    async (c) => c.json({ instruments: [...c.get('services').instruments] }, 200),
  );

  return app;
}
