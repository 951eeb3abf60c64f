/**
 * @module Urgent contacts as recorded: the signed justification, the full WebAuthn assertion over it, and the counterparts.
 * The record sits below src/urgent because formal requests and NCB notifications refer to it, and urgent drives them.
 */
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies, countries, users } from '../directory/tables';
import { conversations } from '../relay/tables';

export const GROUNDS = ['threat_to_life', 'loss_of_evidence', 'flight_risk'] as const;
export type Ground = (typeof GROUNDS)[number];

export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

export const CONTACT_STATUSES = ['open', 'closed'] as const;

export const urgentContacts = sqliteTable(
  'urgent_contacts',
  {
    id: text('id').primaryKey(),
    requesterUserId: text('requester_user_id')
      .notNull()
      .references(() => users.id),
    requesterAgencyId: text('requester_agency_id')
      .notNull()
      .references(() => agencies.id),
    requestingCountry: text('requesting_country')
      .notNull()
      .references(() => countries.code),
    requestedCountry: text('requested_country')
      .notNull()
      .references(() => countries.code),
    grounds: text('grounds', { mode: 'json' }).$type<Ground[]>().notNull(),
    narrative: text('narrative').notNull(),
    caseReference: text('case_reference').notNull(),
    offenceCategory: text('offence_category').notNull(),
    soughtInformation: text('sought_information').notNull(),
    handlingCode: text('handling_code', { enum: HANDLING_CODES }).notNull(),
    handlingConditions: text('handling_conditions'),
    legalInstrument: text('legal_instrument').notNull(),
    status: text('status', { enum: CONTACT_STATUSES }).notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id),
    /** The justification exactly as signed: RFC 8785 canonical JSON, and its SHA-256 (hex). */
    justification: text('justification').notNull(),
    justificationHash: text('justification_hash').notNull(),
    /** The complete step-up assertion, so anyone with the passkey's public key can re-verify it offline. */
    credentialId: text('credential_id').notNull(),
    authenticatorData: text('authenticator_data').notNull(),
    clientDataJson: text('client_data_json').notNull(),
    signature: text('signature').notNull(),
    /** The credential's COSE public key at signing time, kept with the record it verifies. */
    credentialPublicKey: blob('credential_public_key', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
    openedAt: integer('opened_at').notNull(),
    closedAt: integer('closed_at'),
    closedBy: text('closed_by'),
    closeReason: text('close_reason'),
  },
  (t) => [
    index('urgent_contacts_requester').on(t.requesterUserId),
    index('urgent_contacts_opened').on(t.openedAt),
    index('urgent_contacts_countries').on(t.requestingCountry, t.requestedCountry),
  ],
);

export const contactCounterparts = sqliteTable(
  'contact_counterparts',
  {
    contactId: text('contact_id')
      .notNull()
      .references(() => urgentContacts.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** When the counterpart acknowledged the handling code; null until then. */
    handlingAcknowledgedAt: integer('handling_acknowledged_at'),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.userId] }), index('contact_counterparts_user').on(t.userId)],
);
