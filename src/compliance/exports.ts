/**
 * @module Exports of the filtered review set: CSV (one row per contact, flat columns) and JSON Lines (the full records).
 * The CSV is opened in spreadsheets, so it is written per OWASP's CSV-injection guidance
 * (https://owasp.org/www-community/attacks/CSV_Injection): every text cell is double-quoted, and one that begins with
 * =, +, -, @, a tab or a carriage return (or their full-width forms) is prefixed with a single quote, so no cell an
 * investigator typed runs as a formula. Numeric cells (counts, escalation levels) are never negative and stay bare.
 * `grounds` are the signed ones; the last columns say whether the database row agrees with the log (reviewRecords).
 */
import { stringify } from 'csv-stringify/sync';
import type { ReviewRecord } from './reviewRecords';

const iso = (at: number | null | undefined) => (at === null || at === undefined ? '' : new Date(at).toISOString());

export const CSV_COLUMNS = [
  'id',
  'status',
  'opened_at',
  'closed_at',
  'requesting_country',
  'requested_country',
  'requester',
  'requester_agency',
  'counterparts',
  'grounds',
  'case_reference',
  'offence_category',
  'handling_code',
  'narrative',
  'ncb_requesting_acknowledged_at',
  'ncb_requested_acknowledged_at',
  'ncb_max_escalation',
  'formal_request_state',
  'formal_request_deadline',
  'formal_request_submitted_at',
  'formal_request_overdue',
  'message_count',
  'first_message_at',
  'last_message_at',
  'review_status',
  'review_decided_at',
  'justification_sha256',
  'matches_log',
  'opening_log_index',
  'log_mismatches',
  'database_grounds',
] as const;

export function toCsv(records: readonly ReviewRecord[]): string {
  const ack = (r: ReviewRecord, side: string) => iso(r.notifications.find((n) => n.side === side)?.acknowledgedAt);
  return stringify(
    records.map((r) => [
      r.id,
      r.status,
      iso(r.openedAt),
      iso(r.closedAt),
      r.requestingCountry,
      r.requestedCountry,
      r.requester.displayName,
      r.requester.agencyName,
      r.counterparts.map((c) => c.displayName).join('; '),
      r.grounds.join('; '),
      r.caseReference,
      r.offenceCategory,
      r.handlingCode,
      r.narrative,
      ack(r, 'requesting'),
      ack(r, 'requested'),
      Math.max(0, ...r.notifications.map((n) => n.escalationLevel)),
      r.formalRequest?.state ?? '',
      iso(r.formalRequest?.deadlineAt),
      iso(r.formalRequest?.submittedAt),
      r.formalRequest?.everOverdue ? 'yes' : 'no',
      r.messages.count,
      iso(r.messages.firstAt),
      iso(r.messages.lastAt),
      r.review.status,
      iso(r.review.decidedAt),
      r.justificationHash,
      r.integrity.matchesLog ? 'yes' : 'no',
      r.integrity.openingLogIndex ?? '',
      r.integrity.openingLogIndex === null ? 'no opening entry in the log' : r.integrity.mismatchedColumns.join('; '),
      r.integrity.databaseGrounds?.join('; ') ?? '',
    ]),
    { header: true, columns: [...CSV_COLUMNS], escape_formulas: true, quoted_string: true },
  );
}

export function toJsonLines(records: readonly ReviewRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}
