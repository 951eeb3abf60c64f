/** @module HTTP routes for NCB officers (inbox, acknowledgement, live stream) and for administrators' webhook endpoints. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { acknowledgeNotification, listInbox, unacknowledgedCount } from '../../ncb/inbox';
import { createWebhookEndpoint, disableWebhookEndpoint, listWebhookEndpoints } from '../../outbox/webhookEndpoints';
import type { AppEnv } from '../appEnv';
import type { LiveStreams } from '../liveStreams';
import { authorize, guardedRoute } from '../guardedRoute';
import { IdParam, jsonBody, jsonResponse, NoContent, VerbatimLine } from '../schemas';
import { validationHook } from '../validationHook';

const NotificationSchema = z
  .object({
    id: z.string(),
    side: z.string(),
    createdAt: z.number(),
    acknowledgedAt: z.number().nullable(),
    acknowledgedBy: z.string().nullable(),
    escalationLevel: z.number(),
    urgentContactId: z.string(),
    status: z.string(),
    requestingCountry: z.string(),
    requestedCountry: z.string(),
    grounds: z.array(z.string()),
    narrative: z.string(),
    caseReference: z.string(),
    requesterName: z.string(),
    counterparts: z.array(z.string()),
  })
  .openapi('NcbNotification');

const WebhookSchema = z.object({ id: z.string(), agencyId: z.string(), url: z.string(), createdAt: z.number(), disabledAt: z.number().nullable() }).openapi('WebhookEndpoint');

export function ncbRoutes(options: { liveStreams: LiveStreams }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute(['ncb_officer'], {
      method: 'get',
      path: '/ncb/notifications',
      summary: "Your NCB's mandatory notifications, unacknowledged (and escalated) first",
      request: { query: z.object({ pending: z.enum(['true', 'false']).optional() }) },
      responses: { 200: jsonResponse(z.object({ unacknowledged: z.number(), notifications: z.array(NotificationSchema) }), 'Inbox') },
    }),
    async (c) => {
      const services = c.get('services');
      const actor = c.get('actor')!;
      const pending = c.req.valid('query').pending === 'true';
      return c.json({ unacknowledged: await unacknowledgedCount(services, actor), notifications: await listInbox(services, actor, { pending }) }, 200);
    },
  );

  app.openapi(
    guardedRoute(['ncb_officer'], {
      method: 'post',
      path: '/ncb/notifications/{id}/acknowledge',
      summary: 'Acknowledge a notification (logged with officer and time; repeated clicks change nothing)',
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ id: z.string(), acknowledgedAt: z.number(), acknowledgedBy: z.string().nullable() }), 'Acknowledged') },
    }),
    async (c) => c.json(await acknowledgeNotification(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  // Server-sent events (src/ncb/inboxStream.ts): not an OpenAPI operation; the role matrix lists it by hand.
  app.get('/ncb/stream', authorize(['ncb_officer']), (c) => options.liveStreams.inbox(c, { actor: c.get('actor')!, sessionToken: c.get('sessionToken')! }));

  app.openapi(
    guardedRoute(['admin'], {
      method: 'get',
      path: '/webhooks',
      summary: 'Webhook endpoints of the NCBs’ case-management systems',
      request: { query: z.object({ agencyId: z.string().max(64).optional() }) },
      responses: { 200: jsonResponse(z.object({ endpoints: z.array(WebhookSchema) }), 'Endpoints') },
    }),
    async (c) => c.json({ endpoints: await listWebhookEndpoints(c.get('services'), c.req.valid('query').agencyId) }, 200),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'post',
      path: '/webhooks',
      summary: 'Register a webhook endpoint for an agency; the signing secret is shown only in this response',
      request: jsonBody(z.strictObject({ agencyId: z.string().min(1).max(64), url: VerbatimLine.max(2000).pipe(z.url({ error: 'must be an http(s) URL' })) })),
      responses: { 201: jsonResponse(WebhookSchema.omit({ disabledAt: true }).extend({ secret: z.string() }), 'Created') },
    }),
    async (c) => c.json(await createWebhookEndpoint(c.get('services'), c.req.valid('json')), 201),
  );

  app.openapi(
    guardedRoute(['admin'], {
      method: 'delete',
      path: '/webhooks/{id}',
      summary: 'Disable a webhook endpoint (pending deliveries to it are dead-lettered)',
      request: { params: IdParam },
      responses: { 204: NoContent },
    }),
    async (c) => {
      await disableWebhookEndpoint(c.get('services'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
