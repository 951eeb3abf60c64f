/**
 * @module Cross-checks the urgent contact records against the log: every `urgent_contacts` row must have one
 * `urgent_contact.opened` leaf whose signed justification its columns restate, and every such leaf must have its row.
 * It sits in compliance, above audit-log (which may not read domain tables), and the self-check's callers run it.
 */
import { sql } from 'drizzle-orm';
import type { Platform } from '../platform';
import { DATABASE_GROUNDS, groundsFromJson, MISMATCHED_COLUMNS, mismatchedColumns, OPENING_LEAF_JOIN, SIGNED_GROUNDS } from './openingLeaf';

export interface ContactLogCheck {
  contactsChecked: number;
  /** One named problem per disagreement, at most `maxProblems`. */
  problems: string[];
}

const showGrounds = (text: string | null) => groundsFromJson(text)?.join(', ') ?? `not a list: ${text ?? 'null'}`;

/**
 * @example
 * const { problems } = await checkContactsAgainstLog(services);
 * for (const problem of problems) console.log(`FAIL ${problem}`);
 */
export async function checkContactsAgainstLog(services: Pick<Platform, 'database'>, options: { maxProblems?: number } = {}): Promise<ContactLogCheck> {
  const { db } = services.database;
  const maxProblems = options.maxProblems ?? 50;
  const problems: string[] = [];
  const report = (problem: string) => problems.length < maxProblems && problems.push(problem);

  // 1. Rows: only those that disagree come back; the opening leaf is found through the subject index.
  const [{ n } = { n: 0 }] = await db.all<{ n: number }>(sql`select count(*) as n from urgent_contacts`);
  const rows = await db.all<{ id: string; log_index: number | null; database_grounds: string | null; signed_grounds: string | null; mismatched: string }>(sql`
    select * from (
      select c.id, l.idx as log_index, ${DATABASE_GROUNDS} as database_grounds, ${SIGNED_GROUNDS} as signed_grounds, ${MISMATCHED_COLUMNS} as mismatched
      from urgent_contacts c ${OPENING_LEAF_JOIN}
    ) where log_index is null or mismatched <> ''
    order by id
    limit ${maxProblems}`);
  for (const row of rows) {
    if (row.log_index === null) {
      report(`urgent contact ${row.id}: the log holds no urgent_contact.opened entry for it`);
      continue;
    }
    for (const column of mismatchedColumns(row.mismatched)) {
      report(
        column === 'grounds'
          ? `urgent contact ${row.id}: grounds in the database (${showGrounds(row.database_grounds)}) differ from the signed justification at log index ${row.log_index} (${showGrounds(row.signed_grounds)})`
          : `urgent contact ${row.id}: ${column} in the database differs from the signed justification at log index ${row.log_index}`,
      );
    }
  }

  // 2. Opening leaves: each names a contact that has a row, and no contact is opened twice.
  const leaves = await db.all<{ contact_id: string | null; indices: string; has_row: number }>(sql`
    select json_extract(l.data, '$.subject.urgentContactId') as contact_id, group_concat(l.idx, ', ') as indices,
      exists (select 1 from urgent_contacts c where c.id = json_extract(l.data, '$.subject.urgentContactId')) as has_row
    from log_entries l
    where l.type = 'urgent_contact.opened'
    group by contact_id
    having count(*) > 1 or not has_row
    order by min(l.idx)
    limit ${maxProblems}`);
  for (const leaf of leaves) {
    if (!leaf.has_row) report(`log index ${leaf.indices}: urgent_contact.opened for ${leaf.contact_id ?? '(no contact id)'} has no urgent_contacts row`);
    else report(`urgent contact ${leaf.contact_id}: opened more than once in the log (log indices ${leaf.indices})`);
  }
  return { contactsChecked: n, problems };
}
