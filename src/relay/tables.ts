/**
 * @module Relay tables: device keys, conversations and their members, envelopes (ciphertext only), per-device
 * delivery queues, delivery receipts and encrypted attachment blobs.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../directory/tables';

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** Ed25519 public key, base64url: verifies the device's envelopes and its registration. */
    identityKey: text('identity_key').notNull(),
    /** X25519 public key, base64url: content keys are sealed to it. */
    agreementKey: text('agreement_key').notNull(),
    /** The device's own signature over its registration, so a server cannot swap keys unnoticed by auditors. */
    registrationSignature: text('registration_signature').notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('devices_user').on(t.userId)],
);

export const CONVERSATION_STATUSES = ['open', 'closed'] as const;

export const conversations = sqliteTable('conversations', {
  id: text('id').primaryKey(),
  status: text('status', { enum: CONVERSATION_STATUSES }).notNull(),
  createdAt: integer('created_at').notNull(),
  closedAt: integer('closed_at'),
});

export const conversationMembers = sqliteTable(
  'conversation_members',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('conversation_members_user').on(t.userId)],
);

export const messages = sqliteTable(
  'messages',
  {
    /** The client-generated message id (128 random bits): the idempotency key of a send. */
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id),
    senderUserId: text('sender_user_id').notNull(),
    senderDeviceId: text('sender_device_id').notNull(),
    /** The signed envelope as received (JSON). Nulled once every recipient device has acknowledged it. */
    envelope: text('envelope'),
    signature: text('signature').notNull(),
    size: integer('size').notNull(),
    recipientCount: integer('recipient_count').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('messages_conversation').on(t.conversationId, t.createdAt),
    index('messages_created').on(t.createdAt),
    // Messages still holding ciphertext are few (those in flight); the purge looks only at them, however many
    // erased metadata rows have piled up.
    index('messages_live').on(t.createdAt).where(sql`envelope is not null`),
  ],
);

/** One row per (message, recipient device) still to be delivered; `seq` is the device's fetch cursor. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id').notNull(),
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('deliveries_device').on(t.deviceId, t.seq), index('deliveries_message').on(t.messageId)],
);

export const receipts = sqliteTable(
  'receipts',
  {
    messageId: text('message_id').notNull(),
    deviceId: text('device_id').notNull(),
    deliveredAt: integer('delivered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.deviceId] })],
);

export const blobs = sqliteTable(
  'blobs',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id),
    uploaderUserId: text('uploader_user_id').notNull(),
    /** Opaque ciphertext (nonce ‖ XChaCha20-Poly1305); the key travels only inside E2E envelopes. */
    data: blob('data', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
    size: integer('size').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('blobs_created').on(t.createdAt)],
);
