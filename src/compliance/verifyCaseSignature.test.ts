// The case view looks up the signing passkey's leaves on every open: with a large log that must be an index lookup
// by credential, never a walk of the log. EXPLAIN QUERY PLAN on the migrated schema proves the index is used.
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../storage/sqliteDatabase';
import { passkeyEntries } from './verifyCaseSignature';

describe('passkeyEntries', () => {
  it("finds a credential's leaves through the credential subject index", () => {
    const database = openSqliteDatabase({ path: ':memory:' });
    try {
      const query = passkeyEntries(database, 'credential-id').toSQL();
      const plan = database.sqlite.prepare(`explain query plan ${query.sql}`).all(...query.params) as Array<{ detail: string }>;
      const details = plan.map((step) => step.detail);
      expect(details).toContain('SEARCH log_entries USING INDEX log_entries_credential (<expr>=?)');
      expect(details.filter((d) => d.startsWith('SCAN log_entries'))).toEqual([]);
    } finally {
      database.close();
    }
  });
});
