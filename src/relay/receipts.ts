/** @module Delivery receipts: which recipient devices have acknowledged a message, for its sender only. */
import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { NotFound } from '../errors';
import type { Platform } from '../platform';
import { messages, receipts } from './tables';

export interface DeliveryStatus {
  messageId: string;
  recipientCount: number;
  delivered: Array<{ deviceId: string; deliveredAt: number }>;
}

export async function deliveryStatus({ database }: Pick<Platform, 'database'>, actor: Actor, messageId: string): Promise<DeliveryStatus> {
  const [message] = await database.db.select().from(messages).where(eq(messages.id, messageId));
  if (!message || message.senderUserId !== actor.userId) throw new NotFound(`You sent no message with id ${messageId}`);
  const delivered = await database.db
    .select({ deviceId: receipts.deviceId, deliveredAt: receipts.deliveredAt })
    .from(receipts)
    .where(eq(receipts.messageId, messageId))
    .orderBy(asc(receipts.deliveredAt));
  return { messageId, recipientCount: message.recipientCount, delivered };
}
