/** @module NCB tables: the mandatory notifications with their acknowledgement and escalation state. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';

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
