/** @module NCB tables: the mandatory notifications with their acknowledgement and escalation state. */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';

/** The CHECK that refuses an escalation step whose notification was acknowledged or escalated meanwhile. */
export const ESCALATION_STILL_DUE = 'ncb_escalations_still_due';

export const NOTIFICATION_SIDES = ['requesting', 'requested'] as const;

export const ncbNotifications = sqliteTable(
  'ncb_notifications',
  {
    id: text('id').primaryKey(),
    contactId: text('contact_id')
      .notNull()
      .references(() => urgentContacts.id),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    countryCode: text('country_code').notNull(),
    side: text('side', { enum: NOTIFICATION_SIDES }).notNull(),
    createdAt: integer('created_at').notNull(),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by').references(() => users.id),
    /** 0 = not escalated; 1 = all officers and admins alerted; 2 = second, final escalation. */
    escalationLevel: integer('escalation_level').notNull().default(0),
    escalatedAt: integer('escalated_at'),
  },
  (t) => [
    uniqueIndex('ncb_notifications_contact_side').on(t.contactId, t.side),
    index('ncb_notifications_agency').on(t.agencyId, t.acknowledgedAt),
    index('ncb_notifications_pending').on(t.acknowledgedAt, t.escalationLevel, t.createdAt),
  ],
);

/**
 * One row per escalation step taken, committed in the step's batch. Two scheduler runs that overlap (two cron
 * invocations on Workers, two processes on one file) both see a notification as due; the second one's batch
 * fails on this key or on `stillDue`, so its log entry and e-mails are never written: each step happens once.
 */
export const ncbEscalations = sqliteTable(
  'ncb_escalations',
  {
    notificationId: text('notification_id')
      .notNull()
      .references(() => ncbNotifications.id),
    level: integer('level').notNull(),
    escalatedAt: integer('escalated_at').notNull(),
    /** Computed in the insert: 1 while the notification is unacknowledged at the level below; else the batch aborts. */
    stillDue: integer('still_due').notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.level] }), check(ESCALATION_STILL_DUE, sql`${t.stillDue} = 1`)],
);
