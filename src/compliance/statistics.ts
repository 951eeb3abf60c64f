/**
 * @module Statistics an oversight body needs over any period: volume by ground, country pair and agency, NCB
 * acknowledgement times, time to the formal request, overdue and not-justified shares, and the weekly trend.
 * Percentiles use the nearest-rank method, so every figure is a value that actually occurred. Grounds are counted
 * as signed (see reviewRecords), and the contacts whose database row disagrees with the log are counted apart.
 */
import type { ReviewRecord } from './reviewRecords';

export interface Statistics {
  contacts: number;
  /** Counted from the grounds the investigators' passkeys signed, as the log holds them. */
  byGround: Record<string, number>;
  byCountryPair: Record<string, number>;
  byAgency: Record<string, number>;
  ncbAcknowledgement: { acknowledged: number; unacknowledged: number; escalated: number; medianMinutes: number | null; p90Minutes: number | null };
  formalRequestSubmission: { submitted: number; medianHours: number | null; p90Hours: number | null };
  overdue: { count: number; share: number | null };
  review: { reviewed: number; justified: number; notJustified: number; needsInformation: number; unreviewed: number; notJustifiedShare: number | null };
  /** Contacts opened per ISO week (e.g. "2026-W48"), in order. */
  byWeek: Array<{ week: string; contacts: number }>;
  /** Contacts whose `urgent_contacts` row differs from the signed justification in the log, or has no opening entry. */
  recordsDisagreeingWithLog: number;
}

export function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);

function count(map: Record<string, number>, key: string) {
  map[key] = (map[key] ?? 0) + 1;
}

export function isoWeek(at: number): string {
  const date = new Date(at);
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function computeStatistics(records: readonly ReviewRecord[]): Statistics {
  const byGround: Record<string, number> = {};
  const byCountryPair: Record<string, number> = {};
  const byAgency: Record<string, number> = {};
  const weeks: Record<string, number> = {};
  const ackMinutes: number[] = [];
  const submitHours: number[] = [];
  let unacknowledged = 0;
  let escalated = 0;
  let overdue = 0;
  let withRequest = 0;
  let disagreeing = 0;
  const review = { justified: 0, notJustified: 0, needsInformation: 0, unreviewed: 0 };
  for (const r of records) {
    for (const g of r.grounds) count(byGround, g);
    if (!r.integrity.matchesLog) disagreeing++;
    count(byCountryPair, `${r.requestingCountry}→${r.requestedCountry}`);
    count(byAgency, r.requester.agencyName);
    count(weeks, isoWeek(r.openedAt));
    for (const n of r.notifications) {
      if (n.acknowledgedAt === null) unacknowledged++;
      else ackMinutes.push((n.acknowledgedAt - n.createdAt) / 60_000);
      if (n.escalationLevel > 0) escalated++;
    }
    if (r.formalRequest) {
      withRequest++;
      if (r.formalRequest.everOverdue) overdue++;
      if (r.formalRequest.submittedAt !== null) submitHours.push((r.formalRequest.submittedAt - r.openedAt) / 3_600_000);
    }
    if (r.review.status === 'justified') review.justified++;
    else if (r.review.status === 'not_justified') review.notJustified++;
    else if (r.review.status === 'needs_information') review.needsInformation++;
    else review.unreviewed++;
  }
  const decided = review.justified + review.notJustified;
  return {
    contacts: records.length,
    byGround,
    byCountryPair,
    byAgency,
    ncbAcknowledgement: {
      acknowledged: ackMinutes.length,
      unacknowledged,
      escalated,
      medianMinutes: round1(nearestRank(ackMinutes, 50)),
      p90Minutes: round1(nearestRank(ackMinutes, 90)),
    },
    formalRequestSubmission: { submitted: submitHours.length, medianHours: round1(nearestRank(submitHours, 50)), p90Hours: round1(nearestRank(submitHours, 90)) },
    overdue: { count: overdue, share: share(overdue, withRequest) },
    review: { reviewed: records.length - review.unreviewed, ...review, notJustifiedShare: share(review.notJustified, decided) },
    byWeek: Object.entries(weeks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week, contacts]) => ({ week, contacts })),
    recordsDisagreeingWithLog: disagreeing,
  };
}
