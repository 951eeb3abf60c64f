/**
 * @module The review record of an urgent contact: the justification facts, people, NCB notification times, the
 * formal request and the *metadata* of its conversation (message count and times — never content or ciphertext),
 * with the latest compliance decision. One query serves the queue, the export and the statistics.
 * Grounds are read from the justification signed in the contact's `urgent_contact.opened` log leaf, not from the
 * editable row, and every record says whether its row still agrees with that leaf (`integrity`).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { isOverdue } from '../formal-requests/lifecycle';
import type { FormalRequestState } from '../formal-requests/tables';
import type { Platform } from '../platform';
import { DATABASE_GROUNDS, EFFECTIVE_GROUNDS, groundsFromJson, MISMATCHED_COLUMNS, mismatchedColumns, OPENING_LEAF_JOIN } from './openingLeaf';
import type { Decision } from './tables';

export type ReviewStatus = Decision | 'unreviewed';

export interface ReviewFilter {
  reviewStatus?: ReviewStatus;
  ground?: string;
  country?: string;
  agencyId?: string;
  investigatorId?: string;
  from?: number;
  to?: number;
  overdue?: boolean;
  unacknowledged?: boolean;
  escalated?: boolean;
}

export interface ReviewRecord {
  id: string;
  status: 'open' | 'closed';
  openedAt: number;
  closedAt: number | null;
  requestingCountry: string;
  requestedCountry: string;
  requester: { userId: string; displayName: string; agencyId: string; agencyName: string };
  counterparts: Array<{ userId: string; displayName: string; agencyName: string | null }>;
  /** The grounds the investigator's passkey signed, from the log's opening leaf (the row's only if the log has none). */
  grounds: string[];
  narrative: string;
  caseReference: string;
  offenceCategory: string;
  soughtInformation: string;
  handlingCode: string;
  justificationHash: string;
  notifications: Array<{ side: string; countryCode: string; createdAt: number; acknowledgedAt: number | null; escalationLevel: number }>;
  formalRequest: { id: string; state: FormalRequestState; instrument: string; deadlineAt: number; submittedAt: number | null; overdue: boolean; everOverdue: boolean } | null;
  messages: { count: number; firstAt: number | null; lastAt: number | null };
  review: { status: ReviewStatus; decidedAt: number | null; reviewerName: string | null; comment: string | null };
  integrity: RecordIntegrity;
}

/** Whether the editable `urgent_contacts` row agrees with the signed justification in its log leaf. Warn when not. */
export interface RecordIntegrity {
  /** False when any column differs from the signed justification, or the log holds no opening leaf at all. */
  matchesLog: boolean;
  /** Leaf index of the contact's `urgent_contact.opened` entry; null when the log has none (nothing here is signed). */
  openingLogIndex: number | null;
  groundsMatchLog: boolean;
  /** Columns of the row that differ from the signed justification, e.g. `grounds`, `justification_hash`. */
  mismatchedColumns: string[];
  /** The row's grounds column as stored (null if it is not a list): differs from `grounds` when tampered with. */
  databaseGrounds: string[] | null;
}

interface Row {
  id: string;
  status: 'open' | 'closed';
  opened_at: number;
  closed_at: number | null;
  requesting_country: string;
  requested_country: string;
  requester_user_id: string;
  requester_name: string;
  requester_agency_id: string;
  requester_agency_name: string;
  narrative: string;
  case_reference: string;
  offence_category: string;
  sought_information: string;
  handling_code: string;
  justification_hash: string;
  counterparts: string;
  notifications: string;
  formal_request: string | null;
  message_count: number;
  first_message_at: number | null;
  last_message_at: number | null;
  latest_decision: string | null;
  opening_log_index: number | null;
  effective_grounds: string;
  database_grounds: string | null;
  mismatched_columns: string;
}

/** The rows a caller may see: compliance everything, NCB officers their own country's contacts. */
function scope(actor: Actor): SQL {
  if (actor.role === 'compliance') return sql`1`;
  if (actor.role === 'ncb_officer' && actor.countryCode) return sql`(c.requesting_country = ${actor.countryCode} or c.requested_country = ${actor.countryCode})`;
  return sql`0`;
}

export async function reviewRecords(services: Pick<Platform, 'database' | 'clock'>, actor: Actor, filter: ReviewFilter = {}, ids?: string[]): Promise<ReviewRecord[]> {
  const where: SQL[] = [scope(actor)];
  if (ids) where.push(sql`c.id in (select value from json_each(${JSON.stringify(ids)}))`);
  if (filter.from !== undefined) where.push(sql`c.opened_at >= ${filter.from}`);
  if (filter.to !== undefined) where.push(sql`c.opened_at < ${filter.to}`);
  if (filter.country) where.push(sql`(c.requesting_country = ${filter.country} or c.requested_country = ${filter.country})`);
  if (filter.agencyId) where.push(sql`c.requester_agency_id = ${filter.agencyId}`);
  if (filter.investigatorId) {
    where.push(sql`(c.requester_user_id = ${filter.investigatorId} or exists (select 1 from contact_counterparts x where x.contact_id = c.id and x.user_id = ${filter.investigatorId}))`);
  }
  if (filter.ground) where.push(sql`exists (select 1 from json_each(${EFFECTIVE_GROUNDS}) g where g.value = ${filter.ground})`);
  const rows = await services.database.db.all<Row>(sql`
    select c.id, c.status, c.opened_at, c.closed_at, c.requesting_country, c.requested_country,
      c.requester_user_id, u.display_name as requester_name, c.requester_agency_id, a.name as requester_agency_name,
      ${EFFECTIVE_GROUNDS} as effective_grounds, ${DATABASE_GROUNDS} as database_grounds,
      l.idx as opening_log_index, ${MISMATCHED_COLUMNS} as mismatched_columns, c.narrative, c.case_reference, c.offence_category, c.sought_information, c.handling_code, c.justification_hash,
      (select json_group_array(json_object('userId', cu.id, 'displayName', cu.display_name, 'agencyName', ca.name))
         from contact_counterparts cc join users cu on cu.id = cc.user_id left join agencies ca on ca.id = cu.agency_id
         where cc.contact_id = c.id) as counterparts,
      (select json_group_array(json_object('side', n.side, 'countryCode', n.country_code, 'createdAt', n.created_at,
              'acknowledgedAt', n.acknowledged_at, 'escalationLevel', n.escalation_level))
         from ncb_notifications n where n.contact_id = c.id) as notifications,
      (select json_object('id', f.id, 'state', f.state, 'instrument', f.instrument, 'deadlineAt', f.deadline_at,
              'submittedAt', f.submitted_at, 'overdueAt', f.overdue_at)
         from formal_requests f where f.contact_id = c.id) as formal_request,
      (select count(*) from messages m where m.conversation_id = c.conversation_id) as message_count,
      (select min(m.created_at) from messages m where m.conversation_id = c.conversation_id) as first_message_at,
      (select max(m.created_at) from messages m where m.conversation_id = c.conversation_id) as last_message_at,
      (select json_object('decision', d.decision, 'createdAt', d.created_at, 'reviewer', ru.display_name, 'comment', d.comment)
         from review_decisions d join users ru on ru.id = d.reviewer_user_id
         where d.contact_id = c.id order by d.created_at desc, d.rowid desc limit 1) as latest_decision
    from urgent_contacts c
    join users u on u.id = c.requester_user_id
    join agencies a on a.id = c.requester_agency_id
    ${OPENING_LEAF_JOIN}
    where ${sql.join(where, sql` and `)}
    order by c.opened_at desc
    limit 20000`);
  const now = services.clock.now();
  return rows.map((r) => toRecord(r, now)).filter((record) => matchesDerived(record, filter));
}

function toRecord(r: Row, now: number): ReviewRecord {
  const formal = r.formal_request
    ? (JSON.parse(r.formal_request) as { id: string; state: FormalRequestState; instrument: string; deadlineAt: number; submittedAt: number | null; overdueAt: number | null })
    : null;
  const latest = r.latest_decision ? (JSON.parse(r.latest_decision) as { decision: Decision; createdAt: number; reviewer: string; comment: string }) : null;
  return {
    id: r.id,
    status: r.status,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    requestingCountry: r.requesting_country,
    requestedCountry: r.requested_country,
    requester: { userId: r.requester_user_id, displayName: r.requester_name, agencyId: r.requester_agency_id, agencyName: r.requester_agency_name },
    counterparts: JSON.parse(r.counterparts) as ReviewRecord['counterparts'],
    grounds: groundsFromJson(r.effective_grounds) ?? [],
    narrative: r.narrative,
    caseReference: r.case_reference,
    offenceCategory: r.offence_category,
    soughtInformation: r.sought_information,
    handlingCode: r.handling_code,
    justificationHash: r.justification_hash,
    notifications: JSON.parse(r.notifications) as ReviewRecord['notifications'],
    formalRequest: formal
      ? {
          id: formal.id,
          state: formal.state,
          instrument: formal.instrument,
          deadlineAt: formal.deadlineAt,
          submittedAt: formal.submittedAt,
          overdue: isOverdue(formal, now),
          // Submitted late, flagged by the scheduler, or late right now: each counts as having gone overdue.
          everOverdue: formal.overdueAt !== null || isOverdue(formal, now) || (formal.submittedAt !== null && formal.submittedAt > formal.deadlineAt),
        }
      : null,
    messages: { count: r.message_count, firstAt: r.first_message_at, lastAt: r.last_message_at },
    review: latest
      ? { status: latest.decision, decidedAt: latest.createdAt, reviewerName: latest.reviewer, comment: latest.comment }
      : { status: 'unreviewed', decidedAt: null, reviewerName: null, comment: null },
    integrity: integrityOf(r),
  };
}

function integrityOf(r: Row): RecordIntegrity {
  const databaseGrounds = groundsFromJson(r.database_grounds);
  if (r.opening_log_index === null) return { matchesLog: false, openingLogIndex: null, groundsMatchLog: false, mismatchedColumns: [], databaseGrounds };
  const columns = mismatchedColumns(r.mismatched_columns);
  return { matchesLog: columns.length === 0, openingLogIndex: r.opening_log_index, groundsMatchLog: !columns.includes('grounds'), mismatchedColumns: columns, databaseGrounds };
}

function matchesDerived(record: ReviewRecord, filter: ReviewFilter): boolean {
  if (filter.reviewStatus && record.review.status !== filter.reviewStatus) return false;
  if (filter.overdue !== undefined && (record.formalRequest?.overdue ?? false) !== filter.overdue) return false;
  if (filter.unacknowledged !== undefined && record.notifications.some((n) => n.acknowledgedAt === null) !== filter.unacknowledged) return false;
  if (filter.escalated !== undefined && record.notifications.some((n) => n.escalationLevel > 0) !== filter.escalated) return false;
  return true;
}
