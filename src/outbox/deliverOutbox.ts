/**
 * @module The outbox worker: sends due e-mails and signed webhooks, retrying failures with exponential backoff
 * and dead-lettering after `config.outboxMaxAttempts`. Rows are written before anything is sent and updated
 * after, so a crash at worst sends a message again — under the same id, which receivers deduplicate on.
 */
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Platform } from '../platform';
import type { Database } from '../storage/database';
import { drainInPages, type WorkBudget } from '../storage/drainInPages';
import { signWebhook } from './standardWebhooks';
import { outbox, webhookEndpoints } from './tables';
import type { OutboxTransports } from './transports';
import { webhookUrlRefusal } from './webhookTargets';

export interface OutboxReport {
  delivered: number;
  retried: number;
  dead: number;
  /** Due e-mails left waiting because no SMTP server is configured. */
  skipped: number;
}

type OutboxRow = typeof outbox.$inferSelect;
type Endpoint = { url: string; secret: string; disabledAt: number | null };
type WorkerServices = Pick<Platform, 'database' | 'clock' | 'config' | 'logger'>;
/** `permanent`: retrying cannot help (the endpoint is gone, or its host refused), so the row is dead-lettered at once. */
type Outcome = { ok: true } | { ok: false; error: string; permanent?: boolean };

const WEBHOOK_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 50;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;
/** Sends in flight at once, so one slow endpoint does not hold up every other message in the pass. */
const PARALLEL_SENDS = 8;

/**
 * Passes over one database run one after another: an overlapping call waits for the running pass, which has
 * already moved every row it took out of the due set, so no row is ever sent twice at the same time.
 * (This guards one process; several processes sharing a database would need a claim column.)
 */
const passes = new WeakMap<Database, Promise<unknown>>();

/**
 * Delivers every due message, longest-due first, `pageSize` at a time, until none is left or `budget` is spent.
 * @example
 * const report = await deliverDueOutbox(services, createOutboxTransports({ sendMail }));
 */
export async function deliverDueOutbox(
  services: WorkerServices,
  transports: OutboxTransports,
  options: { pageSize?: number; budget?: WorkBudget } = {},
): Promise<OutboxReport> {
  const previous = passes.get(services.database) ?? Promise.resolve();
  // The previous pass's failure belongs to its own caller; this pass runs regardless.
  const pass = previous.catch(() => undefined).then(() => deliverPass(services, transports, options.pageSize ?? PAGE_SIZE, options.budget ?? {}));
  passes.set(services.database, pass);
  try {
    return await pass;
  } finally {
    if (passes.get(services.database) === pass) passes.delete(services.database);
  }
}

async function deliverPass(services: WorkerServices, transports: OutboxTransports, pageSize: number, budget: WorkBudget): Promise<OutboxReport> {
  const { db } = services.database;
  // One "now" for the whole pass: every row it takes leaves the due set (delivered, dead, or retried later than
  // this), so each page reads rows not yet tried and the pass ends.
  const due = and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, services.clock.now()));
  const skipped = transports.sendMail
    ? 0
    : ((await db.select({ n: sql<number>`count(*)` }).from(outbox).where(and(due, eq(outbox.kind, 'email'))))[0]?.n ?? 0);
  if (skipped > 0) services.logger.debug({ skipped }, 'outbox e-mails wait for an SMTP server to be configured');

  const report: OutboxReport = { delivered: 0, retried: 0, dead: 0, skipped };
  const { exhausted } = await drainInPages(budget, pageSize, async (limit) => {
    // Without SMTP, e-mails are not even read: a backlog of them must not crowd webhooks out of the pass.
    const rows = await db
      .select()
      .from(outbox)
      .where(transports.sendMail ? due : and(due, eq(outbox.kind, 'webhook')))
      .orderBy(asc(outbox.nextAttemptAt), asc(outbox.createdAt))
      .limit(limit);
    const endpoints = await endpointsOf(services, rows);
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const outcome = await attempt(services, transports, endpoints, row);
        report[await record(services, row, outcome)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, rows.length) }, worker));
    return rows.length;
  });
  if (exhausted) services.logger.warn(report, 'outbox delivery stopped at the tick budget; the next pass continues with the longest-due');
  return report;
}

async function endpointsOf({ database }: WorkerServices, rows: readonly OutboxRow[]): Promise<Map<string, Endpoint>> {
  const ids = [...new Set(rows.filter((r) => r.kind === 'webhook').map((r) => r.target))];
  if (ids.length === 0) return new Map();
  const found = await database.db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, secret: webhookEndpoints.secret, disabledAt: webhookEndpoints.disabledAt })
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, ids));
  return new Map(found.map(({ id, ...endpoint }) => [id, endpoint]));
}

async function attempt(
  services: WorkerServices,
  transports: OutboxTransports,
  endpoints: Map<string, Endpoint>,
  row: OutboxRow,
): Promise<Outcome> {
  try {
    if (row.kind === 'email') {
      // Written by emailStatement; the worker only picks e-mails when sendMail exists.
      const { subject, text } = row.payload as { subject: string; text: string };
      await transports.sendMail!({ messageId: `<${row.id}@exigent>`, from: services.config.smtpFrom, to: row.target, subject, text });
      return { ok: true };
    }
    const endpoint = endpoints.get(row.target);
    if (!endpoint) return { ok: false, error: 'webhook endpoint no longer exists', permanent: true };
    if (endpoint.disabledAt !== null) return { ok: false, error: 'webhook endpoint is disabled', permanent: true };
    // Registration checked the URL too, but under the setting of its day; nothing is sent to a host now refused.
    const refusal = webhookUrlRefusal(new URL(endpoint.url), { allowPrivate: services.config.webhookAllowPrivate });
    if (refusal) return { ok: false, error: refusal, permanent: true };
    const body = JSON.stringify(row.payload);
    // The timestamp is the attempt's, not the event's: receivers reject stale timestamps to stop replays.
    const timestamp = Math.floor(services.clock.now() / 1000);
    const { status } = await transports.post(endpoint.url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Exigent-Webhooks/1',
        'webhook-id': row.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': await signWebhook(endpoint.secret, row.id, timestamp, body),
      },
      body,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
    });
    return status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `HTTP ${status}` };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

/** Writes the outcome (one batch per row, so each finished send is recorded at once) and logs it. */
async function record(services: WorkerServices, row: OutboxRow, outcome: Outcome): Promise<'delivered' | 'retried' | 'dead'> {
  const { database, clock, config, logger } = services;
  const now = clock.now();
  const where = eq(outbox.id, row.id);
  const log = { outboxId: row.id, kind: row.kind };
  if (outcome.ok) {
    const attempts = row.attempts + 1;
    await database.batch([database.db.update(outbox).set({ status: 'delivered', deliveredAt: now, attempts }).where(where)]);
    logger.info({ ...log, attempts }, 'outbox message delivered');
    return 'delivered';
  }
  // Nothing was sent to a missing or disabled endpoint, so that does not count as an attempt.
  const attempts = outcome.permanent ? row.attempts : row.attempts + 1;
  if (outcome.permanent || attempts >= config.outboxMaxAttempts) {
    await database.batch([database.db.update(outbox).set({ status: 'dead', attempts, lastError: outcome.error }).where(where)]);
    logger.warn({ ...log, attempts, error: outcome.error }, 'outbox message dead-lettered');
    return 'dead';
  }
  const nextAttemptAt = now + retryDelayMs(attempts);
  await database.batch([database.db.update(outbox).set({ attempts, lastError: outcome.error, nextAttemptAt }).where(where)]);
  logger.info({ ...log, attempts, error: outcome.error, nextAttemptAt: new Date(nextAttemptAt).toISOString() }, 'outbox delivery failed; will retry');
  return 'retried';
}

/** 30 s, 1 min, 2 min, … capped at 1 h, each ±20 % so receivers recovering from an outage are not hit in lockstep. */
function retryDelayMs(attempts: number): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/** A short reason for lastError and the log; it never carries the payload or the endpoint secret. */
function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  // fetch reports every network failure as "fetch failed"; the cause says which (refused, DNS, TLS, …).
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.slice(0, 200);
}
