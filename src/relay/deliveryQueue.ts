/**
 * @module Each recipient device's queue of envelopes: fetch by cursor, acknowledge (which deletes the copy and
 * records a delivery receipt for the sender). An envelope's ciphertext is erased from the server as soon as its last
 * recipient device has acknowledged it; its metadata row stays. (Revoking a device drops its queue: see devices.ts.)
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import type { Platform } from '../platform';
import { preparedQuery } from '../storage/preparedQuery';
import type { LivePublisher } from './deliveryHub';
import { requireOwnDevice } from './devices';
import type { EnvelopeV1 } from './envelopeFormat';
import { rememberEnvelopeJson } from './eventJson';
import { deliveries, messages, receipts } from './tables';

export interface QueuedEnvelope {
  seq: number;
  messageId: string;
  conversationId: string;
  senderUserId: string;
  receivedAt: number;
  envelope: EnvelopeV1;
}

export async function fetchQueue(
  services: Pick<Platform, 'database'>,
  input: { actor: Actor; deviceId: string; after: number; limit: number },
): Promise<QueuedEnvelope[]> {
  await requireOwnDevice(services, input.actor, input.deviceId);
  const rows = await services.database.db
    .select({
      seq: deliveries.seq,
      messageId: messages.id,
      conversationId: messages.conversationId,
      senderUserId: messages.senderUserId,
      receivedAt: messages.createdAt,
      envelope: messages.envelope,
    })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(and(eq(deliveries.deviceId, input.deviceId), gt(deliveries.seq, input.after)))
    .orderBy(asc(deliveries.seq))
    .limit(input.limit);
  // A queued copy always has its envelope: it is erased only once no copy remains.
  return rows.flatMap(({ envelope: text, ...row }) => {
    if (text === null) return [];
    const envelope = JSON.parse(text) as EnvelopeV1;
    rememberEnvelopeJson(envelope, text);
    return [{ ...row, envelope }];
  });
}

// Seqs travel as one JSON array parameter so the statements are prepared once (SQLite and D1 both have json_each).
// A seq names one queued copy for one device; which device may acknowledge it is checked against `deviceId`.
const copiesBySeq = preparedQuery((db) =>
  db
    .select({ seq: deliveries.seq, deviceId: deliveries.deviceId, messageId: deliveries.messageId, senderUserId: messages.senderUserId })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(sql`${deliveries.seq} in (select value from json_each(${sql.placeholder('seqs')}))`)
    .prepare(),
);

// The acknowledgement's three writes, prepared once.
const deleteCopies = preparedQuery((db) =>
  db
    .delete(deliveries)
    .where(sql`${deliveries.seq} in (select value from json_each(${sql.placeholder('seqs')}))`)
    .prepare(),
);
const insertReceipt = preparedQuery((db) =>
  db
    .insert(receipts)
    .values({ messageId: sql.placeholder('messageId'), deviceId: sql.placeholder('deviceId'), deliveredAt: sql.placeholder('deliveredAt') })
    .onConflictDoNothing()
    .prepare(),
);
const eraseDelivered = preparedQuery((db) =>
  db
    .update(messages)
    .set({ envelope: null })
    .where(
      and(
        sql`${messages.id} in (select value from json_each(${sql.placeholder('messageIds')}))`,
        sql`not exists (select 1 from ${deliveries} where ${deliveries.messageId} = ${messages.id})`,
      ),
    )
    .prepare(),
);

/**
 * Acknowledges receipt of queued copies (by their `seq`). Unknown or already-acknowledged seqs are ignored,
 * so a retried acknowledgement is harmless. Senders' devices are told at once.
 */
export async function acknowledge(
  services: Pick<Platform, 'database' | 'clock'> & { hub: LivePublisher },
  input: { actor: Actor; deviceId: string; seqs: readonly number[] },
): Promise<{ acknowledged: number }> {
  await requireOwnDevice(services, input.actor, input.deviceId);
  return acknowledgeOnDevices(services, [input]);
}

/**
 * {@link acknowledge} for callers that have already established each device is the actor's own and active —
 * a device's live stream checks that when it opens, and a revoked device's queue is dropped with it, so its
 * late acknowledgements match nothing. Takes the acknowledgements of several devices at once (the streams of
 * one event-loop turn): one read and one write for all of them.
 */
export async function acknowledgeOnDevices(
  services: Pick<Platform, 'database' | 'clock'> & { hub: LivePublisher },
  acknowledgements: ReadonlyArray<{ deviceId: string; seqs: readonly number[] }>,
): Promise<{ acknowledged: number }> {
  const { database } = services;
  const acknowledgedBy = new Map<number, string>();
  for (const { deviceId, seqs } of acknowledgements) for (const seq of seqs) acknowledgedBy.set(seq, deviceId);
  if (acknowledgedBy.size === 0) return { acknowledged: 0 };
  const found = await copiesBySeq(database).all({ seqs: JSON.stringify([...acknowledgedBy.keys()]) });
  // A device may acknowledge only its own copies: another device's seq is ignored like an unknown one.
  const rows = found.filter((r) => acknowledgedBy.get(r.seq) === r.deviceId);
  if (rows.length === 0) return { acknowledged: 0 };
  const at = services.clock.now();
  const receiptsToWrite = new Map(rows.map((r) => [`${r.messageId} ${r.deviceId}`, r]));
  const messageIds = [...new Set(rows.map((r) => r.messageId))];
  await database.batch(
    [
      { prepared: deleteCopies(database), params: { seqs: JSON.stringify(rows.map((r) => r.seq)) } },
      ...[...receiptsToWrite.values()].map((r) => ({ prepared: insertReceipt(database), params: { messageId: r.messageId, deviceId: r.deviceId, deliveredAt: at } })),
      { prepared: eraseDelivered(database), params: { messageIds: JSON.stringify(messageIds) } },
    ],
    { coalesce: true },
  );
  // To every live stream of the sender's account (each device stream also listens on the account's channel).
  for (const row of rows) {
    services.hub.publish(`user:${row.senderUserId}`, { type: 'receipt', messageId: row.messageId, deviceId: row.deviceId, deliveredAt: at });
  }
  return { acknowledged: rows.length };
}
