/**
 * @module The outbox: e-mails and webhooks written in the same atomic batch as the event they announce, delivered later;
 * and the agencies' webhook endpoints they are delivered to.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies } from '../directory/tables';

export const OUTBOX_KINDS = ['email', 'webhook'] as const;
export const OUTBOX_STATUSES = ['pending', 'delivered', 'dead'] as const;

export const outbox = sqliteTable(
  'outbox',
  {
    /** Stable across retries: receivers deduplicate on it (the Standard Webhooks `webhook-id`, the e-mail Message-ID). */
    id: text('id').primaryKey(),
    kind: text('kind', { enum: OUTBOX_KINDS }).notNull(),
    /** E-mail address, or the webhook endpoint id. */
    target: text('target').notNull(),
    /** What happened, as the JSON the receiver gets (webhooks) or the subject/text to send (e-mail). */
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    // Without a mail sender the worker reads due webhooks only: this keeps a backlog of waiting e-mails out of that read.
    index('outbox_due_kind').on(t.status, t.kind, t.nextAttemptAt),
  ],
);

export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    url: text('url').notNull(),
    /** Standard Webhooks secret ("whsec_" + base64); shown once when created. */
    secret: text('secret').notNull(),
    createdAt: integer('created_at').notNull(),
    disabledAt: integer('disabled_at'),
  },
  (t) => [index('webhook_endpoints_agency').on(t.agencyId)],
);
