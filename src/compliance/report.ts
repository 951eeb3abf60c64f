/**
 * @module The signed compliance report for a period: the statistics, the log checkpoint (tree size and root hash)
 * they were drawn from, and a C2SP signed note by the log's key over the report's SHA-256 — so anyone with the log's
 * public key can check the report is genuine and tie it to the tamper-evident log. Rendered as PDF too.
 */
import canonicalize from 'canonicalize';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { CheckpointIssuer } from '../audit-log/checkpointIssuer';
import { issueCheckpoint } from '../audit-log/checkpoints';
import type { LogSigner } from '../audit-log/logSigner';
import type { LogWriter } from '../audit-log/logWriter';
import { signNote } from '../audit-log/tlog';
import { toBase64 } from '../crypto/base64url';
import { sha256Sync } from '../crypto/sha256';
import type { Actor } from '../directory/actor';
import type { Platform } from '../platform';
import { reviewRecords, type ReviewFilter } from './reviewRecords';
import { computeStatistics, type Statistics } from './statistics';

export const REPORT_CONTEXT = 'exigent-compliance-report/v1';

export interface ComplianceReport {
  kind: typeof REPORT_CONTEXT;
  period: { from: string | null; to: string | null };
  scope: string;
  generatedAt: string;
  statistics: Statistics;
  /** Every contact whose database row disagrees with the signed justification in the log (statistics use the log's). */
  recordsDisagreeingWithLog: Array<{
    urgentContactId: string;
    caseReference: string;
    openingLogIndex: number | null;
    mismatchedColumns: string[];
    signedGrounds: string[] | null;
    databaseGrounds: string[] | null;
  }>;
  checkpoint: { size: number; rootHash: string; note: string };
}

export interface SignedReport {
  report: ComplianceReport;
  /** base64 SHA-256 of the report's RFC 8785 form. */
  reportHash: string;
  /** Signed note "exigent-compliance-report/v1\n<reportHash>\n", verifiable with the log's verifier key. */
  signedNote: string;
}

export function reportHash(report: ComplianceReport): string {
  return toBase64(sha256Sync(canonicalize(report)!));
}

export async function buildSignedReport(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; logSigner: LogSigner; checkpointIssuer: CheckpointIssuer },
  actor: Actor,
  filter: Pick<ReviewFilter, 'from' | 'to'>,
): Promise<SignedReport> {
  // A fresh checkpoint first, so the statistics never describe entries the checkpoint does not cover.
  const checkpoint = await issueCheckpoint(services);
  const records = await reviewRecords(services, actor, filter);
  const report: ComplianceReport = {
    kind: REPORT_CONTEXT,
    period: { from: filter.from === undefined ? null : new Date(filter.from).toISOString(), to: filter.to === undefined ? null : new Date(filter.to).toISOString() },
    scope: actor.role === 'compliance' ? 'all countries' : `contacts concerning ${actor.countryCode}`,
    generatedAt: new Date(services.clock.now()).toISOString(),
    statistics: computeStatistics(records),
    recordsDisagreeingWithLog: records
      .filter((r) => !r.integrity.matchesLog)
      .map((r) => ({
        urgentContactId: r.id,
        caseReference: r.caseReference,
        openingLogIndex: r.integrity.openingLogIndex,
        mismatchedColumns: r.integrity.mismatchedColumns,
        signedGrounds: r.integrity.openingLogIndex === null ? null : r.grounds,
        databaseGrounds: r.integrity.databaseGrounds,
      })),
    checkpoint: { size: checkpoint.size, rootHash: toBase64(checkpoint.rootHash), note: checkpoint.note },
  };
  const hash = reportHash(report);
  return { report, reportHash: hash, signedNote: await signNote(`${REPORT_CONTEXT}\n${hash}\n`, services.logSigner) };
}

export async function renderReportPdf(signed: SignedReport): Promise<Uint8Array> {
  const { report } = signed;
  const s = report.statistics;
  const pdf = await PDFDocument.create();
  pdf.setTitle('Exigent compliance report');
  pdf.setCreator('Exigent');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const mono = await pdf.embedFont(StandardFonts.Courier);
  let page = pdf.addPage([595, 842]);
  let y = 790;
  const line = (text: string, options: { size?: number; f?: typeof font; indent?: number } = {}) => {
    const size = options.size ?? 10;
    if (y < 60) {
      page = pdf.addPage([595, 842]);
      y = 790;
    }
    page.drawText(text.replace(/[^\x20-\x7E\xA0-\xFF]/g, '?'), { x: 56 + (options.indent ?? 0), y, size, font: options.f ?? font, color: rgb(0.1, 0.1, 0.1) });
    y -= size * 1.5;
  };
  const bar = (label: string, value: number, max: number) => {
    line(`${label}: ${value}`, { indent: 8 });
    page.drawRectangle({ x: 300, y: y + 14, width: max === 0 ? 0 : (220 * value) / max, height: 8, color: rgb(0.16, 0.35, 0.6) });
  };
  const table = (title: string, entries: Record<string, number>) => {
    line(title, { f: bold, size: 11 });
    const max = Math.max(0, ...Object.values(entries));
    for (const [k, v] of Object.entries(entries)) bar(k, v, max);
    y -= 4;
  };
  line('Exigent compliance report', { f: bold, size: 18 });
  line(`Period: ${report.period.from ?? 'beginning'} to ${report.period.to ?? report.generatedAt} (${report.scope})`);
  line(`Generated: ${report.generatedAt}`);
  y -= 8;
  line(`Urgent contacts: ${s.contacts}`, { f: bold, size: 12 });
  table('By ground', s.byGround);
  table('By country pair', s.byCountryPair);
  table('By requesting agency', s.byAgency);
  line('NCB acknowledgement', { f: bold, size: 11 });
  line(`acknowledged ${s.ncbAcknowledgement.acknowledged}, unacknowledged ${s.ncbAcknowledgement.unacknowledged}, escalated ${s.ncbAcknowledgement.escalated}`, { indent: 8 });
  line(`median ${s.ncbAcknowledgement.medianMinutes ?? '-'} min, p90 ${s.ncbAcknowledgement.p90Minutes ?? '-'} min`, { indent: 8 });
  line('Formal requests', { f: bold, size: 11 });
  line(`submitted ${s.formalRequestSubmission.submitted}; time to submission median ${s.formalRequestSubmission.medianHours ?? '-'} h, p90 ${s.formalRequestSubmission.p90Hours ?? '-'} h`, { indent: 8 });
  line(`went overdue ${s.overdue.count} (share ${s.overdue.share ?? '-'})`, { indent: 8 });
  line('Review', { f: bold, size: 11 });
  line(`justified ${s.review.justified}, not justified ${s.review.notJustified} (share ${s.review.notJustifiedShare ?? '-'}), needs information ${s.review.needsInformation}, unreviewed ${s.review.unreviewed}`, { indent: 8 });
  table('Urgent contacts per week', Object.fromEntries(s.byWeek.map((w) => [w.week, w.contacts])));
  line(`Records that disagree with the signed log: ${report.recordsDisagreeingWithLog.length}`, { f: bold, size: 11 });
  for (const r of report.recordsDisagreeingWithLog) {
    const where = r.openingLogIndex === null ? 'no opening entry in the log' : `${r.mismatchedColumns.join(', ')} differ from log index ${r.openingLogIndex}`;
    line(`${r.caseReference} (${r.urgentContactId}): ${where}`, { indent: 8 });
  }
  y -= 8;
  line('Drawn from the tamper-evident log at this checkpoint:', { f: bold, size: 11 });
  for (const l of report.checkpoint.note.split('\n')) line(l, { f: mono, size: 8 });
  line('Report signature (signed note, verify with the log key):', { f: bold, size: 11 });
  for (const l of signed.signedNote.split('\n')) line(l, { f: mono, size: 8 });
  return pdf.save();
}
