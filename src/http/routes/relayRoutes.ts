/**
 * @module HTTP routes of the E2E relay: device keys, conversations, envelopes, delivery queues and receipts,
 * encrypted attachments, and the upgrade to a device's live stream (src/relay/deviceStream.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { RateLimiterFactory } from '../../auth/rateLimiter';
import { Forbidden } from '../../errors';
import { downloadAttachment, uploadAttachment } from '../../relay/attachments';
import { listConversations, viewConversation } from '../../relay/conversations';
import { acknowledge, fetchQueue } from '../../relay/deliveryQueue';
import { listDevices, registerDevice, requireOwnDevice, revokeDevice } from '../../relay/devices';
import { EnvelopeV1Schema, PublicKey32, Signature64 } from '../../relay/envelopeFormat';
import { postEnvelope } from '../../relay/postEnvelope';
import { deliveryStatus } from '../../relay/receipts';
import type { Services } from '../../runtime/services';
import type { AppEnv } from '../appEnv';
import type { LiveStreams } from '../liveStreams';
import { authorize, guardedRoute } from '../guardedRoute';
import { problemResponse } from '../problem';
import { IdParam, jsonBody, jsonResponse, NameText, NoContent } from '../schemas';
import { messagesSentLimiter } from '../streamSend';
import { validationHook } from '../validationHook';

/** Messaging is between investigators; NCB officers and compliance staff never hold conversation keys. */
export const RELAY_ROLES = ['investigator'] as const;

const DeviceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    identityKey: z.string(),
    agreementKey: z.string(),
    registrationSignature: z.string(),
    createdAt: z.number(),
  })
  .openapi('Device');
const ConversationSummary = z
  .object({ id: z.string(), status: z.enum(['open', 'closed']), createdAt: z.number(), closedAt: z.number().nullable() })
  .openapi('ConversationSummary');
const ConversationSchema = ConversationSummary.extend({
  members: z.array(
    z.object({
      userId: z.string(),
      displayName: z.string(),
      countryCode: z.string().nullable(),
      devices: z.array(DeviceSchema.extend({ revokedAt: z.number().nullable() })),
    }),
  ),
}).openapi('Conversation');
const Envelope = EnvelopeV1Schema.openapi('EnvelopeV1');
const QueuedSchema = z
  .object({ seq: z.number(), messageId: z.string(), conversationId: z.string(), senderUserId: z.string(), receivedAt: z.number(), envelope: Envelope })
  .openapi('QueuedEnvelope');
const PostedSchema = z
  .object({ messageId: z.string(), receivedAt: z.number(), recipientDeviceIds: z.array(z.string()), duplicate: z.boolean() })
  .openapi('PostedEnvelope');
const DeviceIdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const binary = { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } };

function deviceJson(d: z.infer<typeof DeviceSchema>) {
  const { id, name, identityKey, agreementKey, registrationSignature, createdAt } = d;
  return { id, name, identityKey, agreementKey, registrationSignature, createdAt };
}

export function relayRoutes(services: Services, options: { liveStreams: LiveStreams; rateLimiters: RateLimiterFactory }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const sendLimiter = messagesSentLimiter(options.rateLimiters, services.config);

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'post',
      path: '/devices',
      summary: "Register this device's public keys (signed by the device's identity key)",
      request: jsonBody(
        z.strictObject({ name: NameText.min(1).max(80), identityKey: PublicKey32, agreementKey: PublicKey32, signature: Signature64 }),
      ),
      responses: { 201: jsonResponse(DeviceSchema, 'Registered') },
    }),
    async (c) => c.json(deviceJson(await registerDevice(c.get('services'), { actor: c.get('actor')!, ...c.req.valid('json') })), 201),
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/devices',
      summary: 'Your active devices',
      responses: { 200: jsonResponse(z.object({ devices: z.array(DeviceSchema) }), 'Devices') },
    }),
    async (c) => c.json({ devices: (await listDevices(c.get('services'), [c.get('actor')!.userId])).map(deviceJson) }, 200),
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'delete',
      path: '/devices/{id}',
      summary: 'Revoke one of your devices: it receives nothing more and its queued copies are dropped',
      request: { params: DeviceIdParam },
      responses: { 204: NoContent },
    }),
    async (c) => {
      await revokeDevice(c.get('services'), { actor: c.get('actor')!, id: c.req.valid('param').id });
      return c.body(null, 204);
    },
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/devices/{id}/queue',
      summary: 'Envelopes waiting for this device, after a cursor (for a device returning from offline)',
      request: {
        params: DeviceIdParam,
        query: z.object({
          after: z.coerce.number({ error: 'must be a number' }).int().min(0).default(0),
          limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500).default(100),
        }),
      },
      responses: { 200: jsonResponse(z.object({ envelopes: z.array(QueuedSchema) }), 'Queued envelopes, oldest first') },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const envelopes = await fetchQueue(c.get('services'), { actor: c.get('actor')!, deviceId: c.req.valid('param').id, after, limit });
      return c.json({ envelopes }, 200);
    },
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'post',
      path: '/devices/{id}/acks',
      summary: 'Acknowledge queued envelopes by seq: their copies are deleted and the senders get delivery receipts',
      request: { params: DeviceIdParam, ...jsonBody(z.strictObject({ seqs: z.array(z.number().int().positive()).min(1).max(500) })) },
      responses: { 200: jsonResponse(z.object({ acknowledged: z.number() }), 'Acknowledged') },
    }),
    async (c) => {
      const result = await acknowledge(c.get('services'), { actor: c.get('actor')!, deviceId: c.req.valid('param').id, seqs: c.req.valid('json').seqs });
      return c.json(result, 200);
    },
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/conversations',
      summary: 'Conversations you are a member of',
      responses: { 200: jsonResponse(z.object({ conversations: z.array(ConversationSummary) }), 'Conversations') },
    }),
    async (c) => c.json({ conversations: await listConversations(c.get('services'), c.get('actor')!) }, 200),
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/conversations/{id}',
      summary: "A conversation with its members and every member's active device keys",
      request: { params: IdParam },
      responses: { 200: jsonResponse(ConversationSchema, 'Conversation') },
    }),
    async (c) => c.json(await viewConversation(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'post',
      path: '/conversations/{id}/messages',
      summary: 'Post an encrypted envelope (idempotent on its messageId: a retry returns 200 with duplicate: true)',
      request: { params: IdParam, ...jsonBody(Envelope) },
      responses: { 201: jsonResponse(PostedSchema, 'Stored and queued'), 200: jsonResponse(PostedSchema, 'Already stored (retry)') },
    }),
    async (c) => {
      const actor = c.get('actor')!;
      await sendLimiter.hit(actor.userId);
      const posted = await postEnvelope(c.get('services'), { actor, conversationId: c.req.valid('param').id, envelope: c.req.valid('json') });
      return c.json(posted, posted.duplicate ? 200 : 201);
    },
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/messages/{id}/receipts',
      summary: 'Delivery receipts of a message you sent, per recipient device',
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          z.object({ messageId: z.string(), recipientCount: z.number(), delivered: z.array(z.object({ deviceId: z.string(), deliveredAt: z.number() })) }),
          'Receipts',
        ),
      },
    }),
    async (c) => c.json(await deliveryStatus(c.get('services'), c.get('actor')!, c.req.valid('param').id), 200),
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'post',
      path: '/conversations/{id}/attachments',
      summary: 'Upload an encrypted attachment (opaque bytes: nonce ‖ ciphertext); its key travels inside a message',
      request: { params: IdParam, body: { ...binary, required: true } },
      responses: { 201: jsonResponse(z.object({ id: z.string(), size: z.number() }), 'Stored') },
    }),
    async (c) => {
      const data = new Uint8Array(await c.req.arrayBuffer());
      return c.json(await uploadAttachment(c.get('services'), { actor: c.get('actor')!, conversationId: c.req.valid('param').id, data }), 201);
    },
  );

  app.openapi(
    guardedRoute(RELAY_ROLES, {
      method: 'get',
      path: '/attachments/{id}',
      summary: 'Download an encrypted attachment of one of your conversations',
      request: { params: IdParam },
      responses: { 200: { description: 'The encrypted bytes', ...binary } },
    }),
    async (c) => {
      const data = await downloadAttachment(c.get('services'), { actor: c.get('actor')!, id: c.req.valid('param').id });
      return c.body(data as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }) as never;
    },
  );

  // The live stream is not an OpenAPI operation; the role matrix test lists it by hand.
  app.get('/devices/:id/stream', authorize(RELAY_ROLES), async (c) => {
    // Browsers send cookies on cross-site WebSocket handshakes, and GET skips the CSRF check: check Origin here.
    const origin = c.req.header('origin');
    if (origin !== services.config.origin) throw new Forbidden(`WebSocket from Origin ${origin ?? '(none)'} refused`);
    const actor = c.get('actor')!;
    const deviceId = c.req.param('id');
    await requireOwnDevice(services, actor, deviceId);
    // Checked here, so that a plain GET takes no place among the device's streams on either runtime.
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      const detail = 'This is a WebSocket endpoint: open it with an Upgrade: websocket handshake';
      return problemResponse({ title: 'Upgrade required', status: 426, detail, requestId: c.get('requestId') }, { upgrade: 'websocket' });
    }
    return options.liveStreams.device(c, { actor, deviceId, sessionToken: c.get('sessionToken')! });
  });

  return app;
}
