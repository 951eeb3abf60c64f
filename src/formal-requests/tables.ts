import { urgentContacts } from '../contact-record/tables';
/** @module The follow-up formal request each urgent contact must be followed by, with its deadline clock and lifecycle. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const FORMAL_REQUEST_STATES = ['pending', 'drafted', 'submitted', 'acknowledged', 'executed', 'refused', 'withdrawn'] as const;
export type FormalRequestState = (typeof FORMAL_REQUEST_STATES)[number];

export interface FormalRequestDraft {
  requestingState: string;
  requestedState: string;
  requestingAuthority: string;
  requestedAuthority: string;
  caseReference: string;
  offenceCategory: string;
  facts: string;
  measuresSought: string;
}

export const formalRequests = sqliteTable(
  'formal_requests',
  {
    id: text('id').primaryKey(),
    contactId: text('contact_id')
      .notNull()
      .references(() => urgentContacts.id),
    instrument: text('instrument').notNull(),
    state: text('state', { enum: FORMAL_REQUEST_STATES }).notNull(),
    openedAt: integer('opened_at').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    draft: text('draft', { mode: 'json' }).$type<FormalRequestDraft>().notNull(),
    channel: text('channel'),
    channelReference: text('channel_reference'),
    submittedAt: integer('submitted_at'),
    withdrawnReason: text('withdrawn_reason'),
    updatedAt: integer('updated_at').notNull(),
    /** Scheduler marks: each reminder and the overdue alert happen once, even across restarts. */
    reminded50At: integer('reminded_50_at'),
    reminded90At: integer('reminded_90_at'),
    overdueAt: integer('overdue_at'),
  },
  (t) => [uniqueIndex('formal_requests_contact').on(t.contactId), index('formal_requests_deadline').on(t.state, t.deadlineAt)],
);
