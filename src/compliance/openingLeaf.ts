/**
 * @module A contact's `urgent_contact.opened` leaf joined in SQL, and the columns of its `urgent_contacts` row compared
 * with the justification the investigator's passkey signed in that leaf. The leaf is covered by the Merkle tree and
 * the signed checkpoints; the row is editable by anyone with the database, so the leaf is the authority.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * `left join` of the opening leaf as `l` onto `urgent_contacts c`: one primary-key lookup per contact, found through
 * the index on `json_extract(data, '$.subject.urgentContactId')` (the expression must stay literally the same).
 * `+c.id` strips the column's TEXT affinity: compared with `c.id` itself SQLite may not use the expression index
 * (it has no affinity) and walks the whole log from leaf 0 for every contact (EXPLAIN QUERY PLAN: "SEARCH x" with no
 * index); with `+c.id` it is "SEARCH x USING INDEX log_entries_contact (<expr>=?)".
 */
export const OPENING_LEAF_JOIN: SQL = sql.raw(
  `left join log_entries l on l.idx = (select min(x.idx) from log_entries x
     where json_extract(x.data, '$.subject.urgentContactId') = +c.id and x.type = 'urgent_contact.opened')`,
);

/** The row's grounds column as JSON text, or null when it no longer holds valid JSON. */
export const DATABASE_GROUNDS: SQL = sql.raw(`case when json_valid(c.grounds) then json(c.grounds) end`);

/** The signed grounds (JSON text), or null when the log holds no opening leaf for the contact. */
export const SIGNED_GROUNDS: SQL = sql.raw(`json_extract(l.data, '$.details.justification.grounds')`);

/** The grounds compliance counts and filters by: the signed ones, and the column's only when nothing was signed. */
export const EFFECTIVE_GROUNDS: SQL = sql.raw(`coalesce(json_extract(l.data, '$.details.justification.grounds'), case when json_valid(c.grounds) then c.grounds else '[]' end)`);

/** Each column of the row that restates the signed justification, and where the leaf holds the signed value. */
const SIGNED_COLUMNS: ReadonlyArray<readonly [column: string, row: string, leafPath: string]> = [
  ['grounds', `case when json_valid(c.grounds) then json(c.grounds) end`, '$.details.justification.grounds'],
  ['justification', `case when json_valid(c.justification) then json(c.justification) end`, '$.details.justification'],
  ['justification_hash', 'c.justification_hash', '$.details.justificationHash'],
  ['requester_user_id', 'c.requester_user_id', '$.details.justification.requester.userId'],
  ['requester_agency_id', 'c.requester_agency_id', '$.details.justification.requester.agencyId'],
  ['requesting_country', 'c.requesting_country', '$.details.justification.requester.country'],
  ['requested_country', 'c.requested_country', '$.details.justification.requestedCountry'],
  ['narrative', 'c.narrative', '$.details.justification.narrative'],
  ['case_reference', 'c.case_reference', '$.details.justification.caseReference'],
  ['offence_category', 'c.offence_category', '$.details.justification.offenceCategory'],
  ['sought_information', 'c.sought_information', '$.details.justification.soughtInformation'],
  ['handling_code', 'c.handling_code', '$.details.justification.handling.code'],
  ['handling_conditions', 'c.handling_conditions', '$.details.justification.handling.conditions'],
  ['legal_instrument', 'c.legal_instrument', '$.details.justification.legalInstrument'],
];

/**
 * The names of the columns that differ from the leaf, each followed by a space ('' when all agree). JSON on both
 * sides passes through SQLite's own renderer, so equal JSON compares equal as text. Meaningless without a leaf.
 */
export const MISMATCHED_COLUMNS: SQL = sql.raw(
  SIGNED_COLUMNS.map(([column, row, path]) => `(case when (${row}) is not json_extract(l.data, '${path}') then '${column} ' else '' end)`).join(' || '),
);

/** Splits MISMATCHED_COLUMNS' text into column names. */
export function mismatchedColumns(text: string | null): string[] {
  return text ? text.trim().split(' ').filter(Boolean) : [];
}

/** Parses the JSON text of a grounds list; null for anything that is not a list of strings. */
export function groundsFromJson(text: string | null): string[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((g) => typeof g === 'string') ? value : null;
  } catch {
    return null;
  }
}
