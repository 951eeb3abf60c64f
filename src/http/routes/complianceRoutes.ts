/**
 * @module HTTP routes of compliance review: the queue with filters, the case view, decisions, the investigator's
 * answers, statistics, exports and the signed report. NCB officers get read-only views of their own country;
 * no route here returns message content or ciphertext.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { caseView } from '../../compliance/caseView';
import { answerQuestion, decide, reviewHistory } from '../../compliance/decisions';
import { toCsv, toJsonLines } from '../../compliance/exports';
import { buildSignedReport, renderReportPdf } from '../../compliance/report';
import { reviewRecords, type ReviewFilter } from '../../compliance/reviewRecords';
import { computeStatistics } from '../../compliance/statistics';
import { DECISIONS } from '../../compliance/tables';
import { GROUNDS } from '../../contact-record/tables';
import type { AppEnv } from '../appEnv';
import { guardedRoute } from '../guardedRoute';
import { DaySchema, FreeText, IdParam, jsonBody, jsonResponse } from '../schemas';
import { validationHook } from '../validationHook';

const REVIEWERS = ['compliance', 'ncb_officer'] as const;

const flag = z.enum(['true', 'false']).optional();
const day = DaySchema.optional();
const FilterQuery = z.object({
  reviewStatus: z.enum([...DECISIONS, 'unreviewed']).optional(),
  ground: z.enum(GROUNDS).optional(),
  country: z.string().regex(/^[A-Z]{2}$/).optional(),
  agencyId: z.string().max(64).optional(),
  investigatorId: z.string().max(64).optional(),
  from: day,
  to: day,
  overdue: flag,
  unacknowledged: flag,
  escalated: flag,
});

/** Query strings to a domain filter; `to` is inclusive of that whole day. */
function toFilter(q: z.infer<typeof FilterQuery>): ReviewFilter {
  const bool = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');
  return {
    reviewStatus: q.reviewStatus,
    ground: q.ground,
    country: q.country,
    agencyId: q.agencyId,
    investigatorId: q.investigatorId,
    from: q.from ? Date.parse(`${q.from}T00:00:00Z`) : undefined,
    to: q.to ? Date.parse(`${q.to}T00:00:00Z`) + 86_400_000 : undefined,
    overdue: bool(q.overdue),
    unacknowledged: bool(q.unacknowledged),
    escalated: bool(q.escalated),
  };
}

const RecordSchema = z.object({}).loose().openapi('ReviewRecord');
const DecisionInput = z
  .strictObject({
    decision: z.enum(DECISIONS),
    comment: FreeText.min(10, 'explain the decision in at least 10 characters').max(4000),
    question: FreeText.max(2000).nullish(),
  })
  .openapi('DecisionInput');

export function complianceRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    guardedRoute(REVIEWERS, {
      method: 'get',
      path: '/compliance/contacts',
      summary: 'The review queue with filters (NCB officers: their own country, read-only)',
      request: { query: FilterQuery },
      responses: { 200: jsonResponse(z.object({ contacts: z.array(RecordSchema) }), 'Review records, newest first') },
    }),
    async (c) => c.json({ contacts: await reviewRecords(c.get('services'), c.get('actor')!, toFilter(c.req.valid('query'))) } as never, 200),
  );

  app.openapi(
    guardedRoute(REVIEWERS, {
      method: 'get',
      path: '/compliance/contacts/{id}',
      summary: 'A case: record, re-verified passkey signature, timeline from the log, decisions',
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({}).loose().openapi('ComplianceCase'), 'Case') },
    }),
    async (c) => c.json((await caseView(c.get('services'), c.get('actor')!, c.req.valid('param').id)) as never, 200),
  );

  app.openapi(
    guardedRoute(['compliance'], {
      method: 'post',
      path: '/compliance/contacts/{id}/decisions',
      summary: 'Record a decision (a revision is a new decision; all are logged)',
      request: { params: IdParam, ...jsonBody(DecisionInput) },
      responses: { 201: jsonResponse(z.object({}).loose().openapi('ReviewDecision'), 'Decided') },
    }),
    async (c) => c.json((await decide(c.get('services'), c.get('actor')!, { contactId: c.req.valid('param').id, ...c.req.valid('json') })) as never, 201),
  );

  app.openapi(
    guardedRoute(['investigator', 'ncb_officer', 'compliance'], {
      method: 'get',
      path: '/urgent-contacts/{id}/reviews',
      summary: "Compliance's decisions on a contact and the answers given",
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ decisions: z.array(z.object({}).loose()) }), 'Decision history') },
    }),
    async (c) => c.json({ decisions: await reviewHistory(c.get('services'), c.get('actor')!, c.req.valid('param').id) } as never, 200),
  );

  app.openapi(
    guardedRoute(['investigator'], {
      method: 'post',
      path: '/urgent-contacts/{id}/answers',
      summary: "Answer compliance's open question on your contact",
      request: { params: IdParam, ...jsonBody(z.strictObject({ answer: FreeText.min(5, 'answer in at least 5 characters').max(4000) })) },
      responses: { 201: jsonResponse(z.object({ id: z.string(), decisionId: z.string(), answer: z.string(), createdAt: z.number() }), 'Answered') },
    }),
    async (c) => c.json(await answerQuestion(c.get('services'), c.get('actor')!, { contactId: c.req.valid('param').id, answer: c.req.valid('json').answer }), 201),
  );

  app.openapi(
    guardedRoute(REVIEWERS, {
      method: 'get',
      path: '/compliance/statistics',
      summary: 'Statistics over a period and filters',
      request: { query: FilterQuery },
      responses: { 200: jsonResponse(z.object({}).loose().openapi('Statistics'), 'Statistics') },
    }),
    async (c) => c.json(computeStatistics(await reviewRecords(c.get('services'), c.get('actor')!, toFilter(c.req.valid('query')))) as never, 200),
  );

  app.openapi(
    guardedRoute(REVIEWERS, {
      method: 'get',
      path: '/compliance/export',
      summary: 'The filtered set as CSV or JSON Lines',
      request: { query: FilterQuery.extend({ format: z.enum(['csv', 'jsonl']).default('csv') }) },
      responses: { 200: { description: 'The export', content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } } } },
    }),
    async (c) => {
      const { format, ...query } = c.req.valid('query');
      const records = await reviewRecords(c.get('services'), c.get('actor')!, toFilter(query));
      const body = format === 'csv' ? toCsv(records) : toJsonLines(records);
      return c.body(body, 200, {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'content-disposition': `attachment; filename="exigent-contacts.${format}"`,
        'cache-control': 'no-store',
      }) as never;
    },
  );

  app.openapi(
    guardedRoute(REVIEWERS, {
      method: 'get',
      path: '/compliance/report',
      summary: 'The signed report for a period (JSON with ?format=json, PDF by default), tied to a log checkpoint',
      request: { query: z.object({ from: day, to: day, format: z.enum(['pdf', 'json']).default('pdf') }) },
      responses: { 200: { description: 'Report', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) }, 'application/json': { schema: z.object({}).loose() } } } },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { from, to } = toFilter({ from: q.from, to: q.to });
      const signed = await buildSignedReport(c.get('services'), c.get('actor')!, { from, to });
      if (q.format === 'json') return c.json(signed, 200) as never;
      return c.body((await renderReportPdf(signed)) as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': 'attachment; filename="exigent-compliance-report.pdf"',
        'cache-control': 'no-store',
      }) as never;
    },
  );

  return app;
}
