// The review queue joins each contact's opening leaf: at 100,000 contacts that must be one index lookup per contact,
// never a walk of the log. EXPLAIN QUERY PLAN on the real schema proves the subject index is used.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../storage/sqliteDatabase';
import { EFFECTIVE_GROUNDS, MISMATCHED_COLUMNS, OPENING_LEAF_JOIN } from './openingLeaf';

describe('OPENING_LEAF_JOIN', () => {
  it('finds the opening leaf through the subject index, then by primary key', async () => {
    const database = openSqliteDatabase({ path: ':memory:' });
    try {
      const plan = await database.db.all<{ detail: string }>(sql`
        explain query plan select c.id, l.idx, ${MISMATCHED_COLUMNS} from urgent_contacts c ${OPENING_LEAF_JOIN}
        where exists (select 1 from json_each(${EFFECTIVE_GROUNDS}) g where g.value = 'threat_to_life')`);
      const details = plan.map((step) => step.detail);
      expect(details).toContain('SEARCH x USING INDEX log_entries_contact (<expr>=?)');
      expect(details).toContain('SEARCH l USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN');
      expect(details.filter((d) => /^SCAN (x|l)\b/.test(d))).toEqual([]);
    } finally {
      database.close();
    }
  });
});
