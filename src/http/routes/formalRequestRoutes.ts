/** @module HTTP routes of follow-up formal requests: list with overdue flags, read, edit, transitions, and the PDF/JSON document. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { urgentContacts } from '../../contact-record/tables';
import type { Actor } from '../../directory/actor';
import { buildDocument, renderPdf } from '../../formal-requests/document';
import { getFormalRequest, listFormalRequests, transitionFormalRequest, updateFormalRequest } from '../../formal-requests/formalRequests';
import { FORMAL_REQUEST_STATES } from '../../formal-requests/tables';
import type { Services } from '../../runtime/services';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import { FreeText, IdParam, jsonBody, jsonResponse, NameText, TimestampSchema } from '../schemas';
import { validationHook } from '../validationHook';

const PARTICIPANTS = ['investigator', 'ncb_officer'] as const;

const DraftSchema = z.object({
  requestingState: z.string(),
  requestedState: z.string(),
  requestingAuthority: z.string(),
  requestedAuthority: z.string(),
  caseReference: z.string(),
  offenceCategory: z.string(),
  facts: z.string(),
  measuresSought: z.string(),
});

/** What a participant may write into the draft: the same fields, as names (one line) and free text, bounded. */
const DraftInput = z.strictObject({
  requestingState: NameText.min(1).max(100),
  requestedState: NameText.min(1).max(100),
  requestingAuthority: NameText.min(1).max(200),
  requestedAuthority: NameText.min(1).max(200),
  caseReference: NameText.min(1).max(100),
  offenceCategory: NameText.min(1).max(120),
  facts: FreeText.min(1).max(5000),
  measuresSought: FreeText.min(1).max(2000),
});

const FormalRequestSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    instrument: z.string(),
    state: z.enum(FORMAL_REQUEST_STATES),
    openedAt: z.number(),
    deadlineAt: z.number(),
    overdue: z.boolean(),
    draft: DraftSchema,
    channel: z.string().nullable(),
    channelReference: z.string().nullable(),
    submittedAt: z.number().nullable(),
    withdrawnReason: z.string().nullable(),
    updatedAt: z.number(),
    requesterUserId: z.string(),
    requestingCountry: z.string(),
    requestedCountry: z.string(),
    caseReference: z.string(),
  })
  .openapi('FormalRequest');

async function documentOf(services: Services, actor: Actor, id: string) {
  const request = await getFormalRequest(services, actor, id);
  const [contact] = await services.database.db
    .select({ id: urgentContacts.id, openedAt: urgentContacts.openedAt, grounds: urgentContacts.grounds, justificationHash: urgentContacts.justificationHash })
    .from(urgentContacts)
    .where(eq(urgentContacts.id, request.contactId));
  return buildDocument({
    id: request.id,
    instrumentId: request.instrument,
    instrument: services.instruments.find((i) => i.id === request.instrument),
    deadlineAt: request.deadlineAt,
    state: request.state,
    draft: request.draft,
    contact: contact!,
    now: services.clock.now(),
  });
}

export function formalRequestRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'get',
      path: '/formal-requests',
      summary: 'Formal requests you are concerned by, with their deadlines and overdue flags',
      request: { query: z.object({ overdue: z.enum(['true', 'false']).optional(), state: z.enum(FORMAL_REQUEST_STATES).optional() }) },
      responses: { 200: jsonResponse(z.object({ requests: z.array(FormalRequestSchema) }), 'Formal requests') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const requests = await listFormalRequests(c.get('services'), c.get('actor')!, { state: q.state, overdue: q.overdue === undefined ? undefined : q.overdue === 'true' });
      return c.json({ requests }, 200);
    },
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'get',
      path: '/formal-requests/{id}',
      summary: 'One formal request',
      request: { params: IdParam },
      responses: { 200: jsonResponse(FormalRequestSchema, 'Formal request') },
    }),
    async (c) => c.json(await getFormalRequest(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'patch',
      path: '/formal-requests/{id}',
      summary: 'Edit the draft (requesting investigator) or the legal instrument / deadline (NCB officer)',
      request: {
        params: IdParam,
        ...jsonBody(
          z.strictObject({
            draft: DraftInput.partial().optional(),
            instrument: z.string().max(64).optional(),
            deadlineAt: TimestampSchema.optional(),
          }),
        ),
      },
      responses: { 200: jsonResponse(FormalRequestSchema, 'Updated') },
    }),
    async (c) => c.json(await updateFormalRequest(c.get('services'), c.get('actor')!, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'post',
      path: '/formal-requests/{id}/transitions',
      summary: 'Move the request to its next state (pending → drafted → submitted → acknowledged → executed/refused, or withdrawn)',
      request: {
        params: IdParam,
        ...jsonBody(
          z.strictObject({
            to: z.enum(FORMAL_REQUEST_STATES),
            channel: z.string().max(64).optional(),
            channelReference: NameText.max(200).optional(),
            submittedAt: TimestampSchema.optional(),
            reason: FreeText.max(1000).optional(),
          }),
        ),
      },
      responses: { 200: jsonResponse(FormalRequestSchema, 'New state') },
    }),
    async (c) => c.json(await transitionFormalRequest(c.get('services'), c.get('actor')!, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    guardedRoute(PARTICIPANTS, {
      method: 'get',
      path: '/formal-requests/{id}/document',
      summary: 'The pre-filled formal request: PDF by default, structured JSON with ?format=json',
      request: { params: IdParam, query: z.object({ format: z.enum(['pdf', 'json']).default('pdf') }) },
      responses: { 200: { description: 'The document', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) }, 'application/json': { schema: z.object({}).loose() } } } },
    }),
    async (c) => {
      const doc = await documentOf(c.get('services'), c.get('actor')!, c.req.valid('param').id);
      if (c.req.valid('query').format === 'json') return c.json(doc, 200) as never;
      const pdf = await renderPdf(doc);
      return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="formal-request-${doc.formalRequestId}.pdf"`,
        'cache-control': 'no-store',
      }) as never;
    },
  );

  return app;
}
