/** @module Tamper-evident log tables: entries (leaves), perfect-subtree hashes, signed checkpoints, witnesses and cosignatures. */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const logEntries = sqliteTable(
  'log_entries',
  {
    /** Leaf index in the Merkle tree; the primary key makes a forked append fail the whole batch. */
    idx: integer('idx').primaryKey(),
    type: text('type').notNull(),
    /** The leaf data: RFC 8785 canonical JSON, exactly the bytes that were hashed. */
    data: text('data').notNull(),
    /** Comma-wrapped ISO country codes the entry concerns (",UA,PL,"), so NCBs read only their own. */
    countries: text('countries').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // A contact's timeline (compliance case view) and a passkey's logged key (its signature check) are read by
  // subject without scanning the whole log.
  (t) => [
    index('log_entries_contact').on(sql`json_extract(${t.data}, '$.subject.urgentContactId')`),
    index('log_entries_credential').on(sql`json_extract(${t.data}, '$.subject.credentialId')`),
  ],
);

/** Hashes of perfect, aligned subtrees (level 0 = leaf hashes): O(log n) writes per append, O(log n) reads per proof. */
export const logNodes = sqliteTable(
  'log_nodes',
  {
    level: integer('level').notNull(),
    idx: integer('idx').notNull(),
    hash: blob('hash', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

export const logCheckpoints = sqliteTable('log_checkpoints', {
  size: integer('size').primaryKey(),
  rootHash: blob('root_hash', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
  /** The full C2SP signed note (checkpoint body + log signature). */
  note: text('note').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const witnesses = sqliteTable('witnesses', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  publicKey: blob('public_key', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
});

export const cosignatures = sqliteTable(
  'cosignatures',
  {
    witnessId: text('witness_id')
      .notNull()
      .references(() => witnesses.id),
    checkpointSize: integer('checkpoint_size')
      .notNull()
      .references(() => logCheckpoints.size),
    timestamp: integer('timestamp').notNull(),
    /** The signature line as it appears in the note ("— name base64"). */
    line: text('line').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.witnessId, t.checkpointSize] })],
);
