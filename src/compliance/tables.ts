/** @module Compliance review: decisions on urgent contacts (append-only; the latest one stands) and investigators' answers. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { urgentContacts } from '../contact-record/tables';
import { users } from '../directory/tables';

export const DECISIONS = ['justified', 'not_justified', 'needs_information'] as const;
export type Decision = (typeof DECISIONS)[number];

export const reviewDecisions = sqliteTable(
  'review_decisions',
  {
    id: text('id').primaryKey(),
    contactId: text('contact_id')
      .notNull()
      .references(() => urgentContacts.id),
    reviewerUserId: text('reviewer_user_id')
      .notNull()
      .references(() => users.id),
    decision: text('decision', { enum: DECISIONS }).notNull(),
    comment: text('comment').notNull(),
    /** For needs_information: the question put to the requesting investigator. */
    question: text('question'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('review_decisions_contact').on(t.contactId, t.createdAt)],
);

export const reviewAnswers = sqliteTable(
  'review_answers',
  {
    id: text('id').primaryKey(),
    decisionId: text('decision_id')
      .notNull()
      .references(() => reviewDecisions.id),
    contactId: text('contact_id')
      .notNull()
      .references(() => urgentContacts.id),
    authorUserId: text('author_user_id')
      .notNull()
      .references(() => users.id),
    answer: text('answer').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('review_answers_contact').on(t.contactId)],
);
