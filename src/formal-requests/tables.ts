/** @module The follow-up formal request each urgent contact must be followed by, with its deadline clock and lifecycle. */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { urgentContacts } from '../contact-record/tables';
import { AWAITING_SUBMISSION } from './lifecycle';

export const FORMAL_REQUEST_STATES = ['pending', 'drafted', 'submitted', 'acknowledged', 'executed', 'refused', 'withdrawn'] as const;
export type FormalRequestState = (typeof FORMAL_REQUEST_STATES)[number];

/**
 * When a reminder is due: `percent` of the time allowed after opening, in whole milliseconds. `nextStepAt` below does
 * the same integer arithmetic in SQL, so a request the query finds due is due here too.
 */
export function reminderAt(request: { openedAt: number; deadlineAt: number }, percent: 50 | 90): number {
  return request.openedAt + Math.trunc(((request.deadlineAt - request.openedAt) * percent) / 100);
}

/** SQL's integer division truncates, as Math.trunc does for these positive spans. */
const reminderAtSql = (percent: 50 | 90) => `opened_at + (deadline_at - opened_at) * ${percent} / 100`;
const awaiting = AWAITING_SUBMISSION.map((state) => `'${state}'`).join(', ');

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
    /**
     * When the scheduler's next step for this request falls due (the 50 % or 90 % reminder, or the overdue alert one
     * millisecond past the deadline); null once none is left or the request no longer awaits submission. Computed by
     * SQLite from the columns above, so no write path can forget it, and indexed: the scheduler reads only due
     * requests, in the order they fell due, however many open ones wait.
     */
    nextStepAt: integer('next_step_at').generatedAlwaysAs(
      sql.raw(
        [
          'case',
          `when state not in (${awaiting}) or overdue_at is not null then null`,
          'when reminded_90_at is not null then deadline_at + 1',
          `when reminded_50_at is not null then ${reminderAtSql(90)}`,
          `else ${reminderAtSql(50)}`,
          'end',
        ].join(' '),
      ),
      { mode: 'virtual' },
    ),
  },
  (t) => [
    uniqueIndex('formal_requests_contact').on(t.contactId),
    index('formal_requests_deadline').on(t.state, t.deadlineAt),
    index('formal_requests_next_step').on(t.nextStepAt, t.id),
  ],
);
