/** @module Authentication tables: enrolments (first-admin links and invitations), passkeys, challenges, sessions. */
import { integer, sqliteTable, text, blob, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ROLES, agencies, users } from '../directory/tables';

export const ENROLMENT_KINDS = ['first_admin', 'invitation'] as const;

export const enrolments = sqliteTable(
  'enrolments',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ENROLMENT_KINDS }).notNull(),
    /** SHA-256 of the token (hex): a database reader cannot use a pending link. */
    tokenHash: text('token_hash').notNull(),
    email: text('email'),
    displayName: text('display_name'),
    role: text('role', { enum: ROLES }).notNull(),
    agencyId: text('agency_id').references(() => agencies.id),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('enrolments_token_hash').on(t.tokenHash)],
);

export const credentials = sqliteTable(
  'credentials',
  {
    /** WebAuthn credential id, base64url. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    publicKey: blob('public_key', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
    counter: integer('counter').notNull(),
    transports: text('transports', { mode: 'json' }).$type<string[]>().notNull(),
    deviceType: text('device_type').notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('credentials_user').on(t.userId)],
);

export const CHALLENGE_PURPOSES = ['register', 'login', 'add_passkey', 'step_up', 'urgent_contact'] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

export const challenges = sqliteTable('challenges', {
  id: text('id').primaryKey(),
  purpose: text('purpose', { enum: CHALLENGE_PURPOSES }).notNull(),
  challenge: text('challenge').notNull(),
  userId: text('user_id'),
  /** What the challenge is bound to (e.g. the enrolment, the justification hash), as JSON. */
  context: text('context', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 (hex) of the cookie token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /**
     * The passkey this session was signed in with, so that removing the passkey ends the sessions it opened. Null only
     * for sessions opened before this column existed; removing any of the user's passkeys ends those.
     */
    credentialId: text('credential_id').references(() => credentials.id),
  },
  (t) => [index('sessions_user').on(t.userId)],
);
