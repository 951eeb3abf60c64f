/** @module Directory tables: countries, agencies and users (drizzle sqlite-core, shared by SQLite and D1). */
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core';

export const ROLES = ['admin', 'investigator', 'ncb_officer', 'compliance'] as const;
export type Role = (typeof ROLES)[number];

export const AGENCY_KINDS = ['police', 'ncb', 'oversight'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const countries = sqliteTable('countries', {
  /** ISO 3166-1 alpha-2, upper case. */
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

export const agencies = sqliteTable(
  'agencies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    countryCode: text('country_code')
      .notNull()
      .references(() => countries.code),
    kind: text('kind', { enum: AGENCY_KINDS }).notNull(),
    /** Where NCB notifications are e-mailed; only meaningful for kind = 'ncb'. */
    dutyEmail: text('duty_email'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // The law names one Interpol NCB per country; the database enforces it.
    uniqueIndex('agencies_one_ncb_per_country').on(t.countryCode).where(sql`kind = 'ncb'`),
    uniqueIndex('agencies_name_per_country').on(t.countryCode, t.name),
  ],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    displayName: text('display_name').notNull(),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** Null only for administrators, who may belong to no agency. */
    agencyId: text('agency_id').references(() => agencies.id),
    status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
    /** Opaque WebAuthn user handle (base64url); never the e-mail, so authenticators learn nothing. */
    webauthnUserId: text('webauthn_user_id').notNull(),
    /** The enrolment this account came from: unique, so one invitation can never create two accounts. */
    enrolmentId: text('enrolment_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('users_email').on(t.email),
    uniqueIndex('users_webauthn_user_id').on(t.webauthnUserId),
    uniqueIndex('users_enrolment').on(t.enrolmentId),
    index('users_agency').on(t.agencyId),
  ],
);
