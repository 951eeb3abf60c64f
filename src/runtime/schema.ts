/**
 * @module The whole database schema, composed from every domain's tables: drizzle-kit generates the migrations from it.
 * Composition is wiring, so it sits in the runtime above the domains; the storage adapters do not need it.
 */
export * from '../directory/tables';
export * from '../auth/tables';
export * from '../audit-log/tables';
export * from '../relay/tables';
export * from '../contact-record/tables';
export * from '../ncb/tables';
export * from '../formal-requests/tables';
export * from '../outbox/tables';
export * from '../compliance/tables';
