/** @module The whole database schema: every domain's tables, gathered for drizzle's typed queries and drizzle-kit. */
export * from '../directory/tables';
export * from '../auth/tables';
export * from '../audit-log/tables';
export * from '../relay/tables';
export * from '../urgent/tables';
export * from '../ncb/tables';
export * from '../formal-requests/tables';
export * from '../outbox/tables';
export * from '../compliance/tables';
