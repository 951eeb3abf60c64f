/**
 * @module Accepting an envelope from a member's device: checks what the server can check without reading it
 * (membership, open conversation, the sender device's signature, a key for every member device), stores it
 * once and queues a copy per recipient device — idempotently on the client's message id.
 */
import { eq, sql } from 'drizzle-orm';
import { fromBase64Url } from '../crypto/base64url';
import type { Actor } from '../directory/actor';
import { Conflict, Invalid, PayloadTooLarge, TooManyRequests } from '../errors';
import type { Platform } from '../platform';
import { preparedQuery } from '../storage/preparedQuery';
import { assertMember, conversationForSend } from './conversations';
import type { LivePublisher } from './deliveryHub';
import { requireOwnDevice } from './devices';
import { envelopeSignedBytes, type EnvelopeV1 } from './envelopeFormat';
import { rememberEnvelopeJson } from './eventJson';
import { deliveries, messages, receipts } from './tables';

const messageById = preparedQuery((db) => db.select().from(messages).where(eq(messages.id, sql.placeholder('id'))).prepare());
// The two writes of every send, prepared once: building them per call was a tenth of the send's CPU.
const insertMessage = preparedQuery((db) =>
  db
    .insert(messages)
    .values({
      id: sql.placeholder('id'),
      conversationId: sql.placeholder('conversationId'),
      senderUserId: sql.placeholder('senderUserId'),
      senderDeviceId: sql.placeholder('senderDeviceId'),
      envelope: sql.placeholder('envelope'),
      signature: sql.placeholder('signature'),
      size: sql.placeholder('size'),
      recipientCount: sql.placeholder('recipientCount'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);
const insertDelivery = preparedQuery((db) =>
  db
    .insert(deliveries)
    .values({ deviceId: sql.placeholder('deviceId'), messageId: sql.placeholder('messageId'), createdAt: sql.placeholder('createdAt') })
    .prepare(),
);
const queuedCopies = preparedQuery((db) =>
  db
    .select({ seq: deliveries.seq, deviceId: deliveries.deviceId })
    .from(deliveries)
    .where(eq(deliveries.messageId, sql.placeholder('messageId')))
    .prepare(),
);

export interface PostedEnvelope {
  messageId: string;
  receivedAt: number;
  recipientDeviceIds: string[];
  /** True when this message id was already stored: the retry changed nothing. */
  duplicate: boolean;
}

export async function postEnvelope(
  services: Pick<Platform, 'database' | 'clock' | 'config' | 'signatures'> & { hub: LivePublisher },
  input: { actor: Actor; conversationId: string; envelope: EnvelopeV1 },
): Promise<PostedEnvelope> {
  const { actor, envelope } = input;
  const { database, config } = services;
  if (envelope.conversationId !== input.conversationId) {
    throw new Invalid(`The envelope is addressed to conversation ${envelope.conversationId}, not ${input.conversationId}`, 'conversationId');
  }
  const text = JSON.stringify(envelope);
  rememberEnvelopeJson(envelope, text);
  if (text.length > config.maxEnvelopeBytes) {
    throw new PayloadTooLarge(`The envelope is ${text.length} bytes; the limit is ${config.maxEnvelopeBytes}. Send large content as an attachment.`);
  }
  const members = await conversationForSend(database).all({ conversationId: input.conversationId, userId: actor.userId });
  assertMember(members[0], input.conversationId, { open: true });
  const sender = members.find(
    (m): m is typeof m & { deviceId: string; identityKey: string } => m.deviceId === envelope.senderDeviceId && m.userId === actor.userId,
  );
  if (!sender) {
    // Not one of the actor's active devices: requireOwnDevice says which refusal applies (unknown or revoked).
    await requireOwnDevice(services, actor, envelope.senderDeviceId);
    throw new Conflict(`Device ${envelope.senderDeviceId} changed while sending; try again`);
  }

  const [existing] = await messageById(database).all({ id: envelope.messageId });
  if (existing) {
    // The same device retrying (perhaps re-encrypted after a crash) gets the stored message back; the first copy wins.
    if (existing.senderDeviceId === sender.deviceId && existing.conversationId === input.conversationId) {
      return { messageId: existing.id, receivedAt: existing.createdAt, recipientDeviceIds: await queuedOrDeliveredDevices(services, existing.id), duplicate: true };
    }
    throw new Conflict(`Message id ${envelope.messageId} is already used by another message; generate a new id`);
  }

  if (!(await services.signatures.verify(fromBase64Url(sender.identityKey), fromBase64Url(envelope.signature), envelopeSignedBytes(envelope)))) {
    throw new Invalid('The envelope signature does not verify with the sending device’s identity key', 'signature');
  }
  const recipientDeviceIds = checkRecipients(members, sender.deviceId, envelope);
  const full = members.filter((m) => m.deviceId !== sender.deviceId && m.queued >= config.deviceQueueMax).map((m) => m.deviceId!);
  if (full.length > 0) {
    throw new TooManyRequests(`Recipient device(s) ${full.join(', ')} already have ${config.deviceQueueMax} undelivered messages; try again later`, 60);
  }

  const receivedAt = services.clock.now();
  await database.batch([
    {
      prepared: insertMessage(database),
      params: {
        id: envelope.messageId,
        conversationId: input.conversationId,
        senderUserId: actor.userId,
        senderDeviceId: sender.deviceId,
        envelope: text,
        signature: envelope.signature,
        size: text.length,
        recipientCount: recipientDeviceIds.length,
        createdAt: receivedAt,
      },
    },
    ...recipientDeviceIds.map((deviceId) => ({ prepared: insertDelivery(database), params: { deviceId, messageId: envelope.messageId, createdAt: receivedAt } })),
  ], { coalesce: true });
  const queued = await queuedCopies(database).all({ messageId: envelope.messageId });
  for (const { seq, deviceId } of queued) {
    services.hub.publish(deviceId, {
      type: 'envelope',
      seq,
      messageId: envelope.messageId,
      conversationId: input.conversationId,
      senderUserId: actor.userId,
      receivedAt,
      envelope,
    });
  }
  return { messageId: envelope.messageId, receivedAt, recipientDeviceIds, duplicate: false };
}

async function queuedOrDeliveredDevices({ database }: Pick<Platform, 'database'>, messageId: string): Promise<string[]> {
  const queued = await database.db.select({ deviceId: deliveries.deviceId }).from(deliveries).where(eq(deliveries.messageId, messageId));
  const delivered = await database.db.select({ deviceId: receipts.deviceId }).from(receipts).where(eq(receipts.messageId, messageId));
  return [...new Set([...queued, ...delivered].map((r) => r.deviceId))].sort();
}

/**
 * Every active device of every member except the sending one must have a wrapped key, and no other device may:
 * a client with a stale device list is told to refresh instead of silently leaving a colleague's laptop out.
 */
function checkRecipients(rows: ReadonlyArray<{ userId: string; deviceId: string | null }>, senderDeviceId: string, envelope: EnvelopeV1): string[] {
  const unreachable = [...new Set(rows.filter((r) => r.deviceId === null).map((r) => r.userId))];
  if (unreachable.length > 0) {
    throw new Conflict(`Member(s) ${unreachable.join(', ')} have no registered device yet and could not read the message; they must sign in once first`);
  }
  const expected = new Set(rows.map((r) => r.deviceId!).filter((id) => id !== senderDeviceId));
  const given = envelope.keys.map((k) => k.deviceId);
  if (new Set(given).size !== given.length) throw new Invalid('The envelope lists a recipient device twice', 'keys');
  const strangers = given.filter((id) => id !== senderDeviceId && !expected.has(id));
  if (strangers.length > 0) {
    throw new Invalid(`Not active devices of this conversation's members: ${strangers.join(', ')}. Fetch the conversation's devices again.`, 'keys');
  }
  const missing = [...expected].filter((id) => !given.includes(id));
  if (missing.length > 0) {
    throw new Invalid(`The envelope has no key for member device(s) ${missing.join(', ')}. Fetch the conversation's devices again.`, 'keys');
  }
  return [...expected];
}
