/**
 * @module Retention: ciphertext nobody fetched and attachments are erased after the configured period, so the
 * server never becomes an archive of encrypted case material. The purge works in pages, oldest first, until nothing
 * expired is left or the tick's budget is spent; each page that erased something is one logged batch.
 */
import { and, asc, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { LogWriter } from '../audit-log/logWriter';
import type { Platform } from '../platform';
import { drainInPages, type WorkBudget } from '../storage/drainInPages';
import type { AttachmentStore } from './attachmentStore';
import { deliveries, blobs, messages } from './tables';

export interface PurgeReport {
  envelopes: number;
  blobs: number;
  cutoff: number;
}

type RetentionServices = Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { logWriter: LogWriter; attachments: AttachmentStore };

/** Rows of each kind per page: one bounded batch, and within R2's 1000 keys per delete. */
const PAGE_SIZE = 1000;

/**
 * Erases everything expired now, within `budget`.
 * @example
 * const { envelopes, blobs } = await purgeExpired(services, { budget: { ms: 10_000 } });
 */
export async function purgeExpired(services: RetentionServices, options: { budget?: WorkBudget } = {}): Promise<PurgeReport> {
  const cutoff = services.clock.now() - services.config.retentionMs;
  const report = { envelopes: 0, blobs: 0, cutoff };
  const { exhausted } = await drainInPages(options.budget ?? {}, PAGE_SIZE, async (limit) => {
    const page = await purgePage(services, cutoff, limit);
    report.envelopes += page.envelopes;
    report.blobs += page.blobs;
    return page.envelopes + page.blobs;
  });
  if (report.envelopes > 0 || report.blobs > 0) services.logger.info(report, 'retention purge erased expired ciphertext');
  if (exhausted) services.logger.warn(report, 'retention purge stopped at the tick budget; the next run continues with the oldest');
  return report;
}

async function purgePage(services: RetentionServices, cutoff: number, limit: number): Promise<{ envelopes: number; blobs: number }> {
  const { db } = services.database;
  // Expired, or every copy went away (acknowledged, or dropped with a revoked device).
  const erasable = and(
    isNotNull(messages.envelope),
    or(lt(messages.createdAt, cutoff), sql`not exists (select 1 from ${deliveries} where ${deliveries.messageId} = ${messages.id})`),
  );
  const pageOfMessages = await db.select({ id: messages.id, createdAt: messages.createdAt }).from(messages).where(erasable).orderBy(asc(messages.createdAt), asc(messages.id)).limit(limit);
  const pageOfBlobs = await db.select({ id: blobs.id, createdAt: blobs.createdAt }).from(blobs).where(lt(blobs.createdAt, cutoff)).orderBy(asc(blobs.createdAt), asc(blobs.id)).limit(limit);
  const lastMessage = pageOfMessages.at(-1);
  const lastBlob = pageOfBlobs.at(-1);
  const page = { envelopes: pageOfMessages.length, blobs: pageOfBlobs.length };
  if (!lastMessage && !lastBlob) return page;
  // The statements name the page by its last row rather than by a list of ids: D1 binds at most 100 parameters to
  // a statement, and a page is everything erasable up to that row.
  const statements = [];
  if (lastMessage) {
    const inPage = and(erasable, upTo(messages.createdAt, messages.id, lastMessage));
    statements.push(db.delete(deliveries).where(sql`${deliveries.messageId} in (select ${messages.id} from ${messages} where ${inPage})`));
    statements.push(db.update(messages).set({ envelope: null }).where(inPage));
  }
  if (lastBlob) statements.push(db.delete(blobs).where(and(lt(blobs.createdAt, cutoff), upTo(blobs.createdAt, blobs.id, lastBlob))));
  await services.logWriter.commit(
    [
      {
        type: 'relay.purged',
        actor: { system: 'retention' },
        subject: {},
        details: { ...page, cutoff: new Date(cutoff).toISOString() },
      },
    ],
    statements,
  );
  // After the rows: if this fails, the next purge cannot see the bytes again, so the bucket's own lifecycle rule
  // (README) is the backstop; bytes without a row are unreachable through the API.
  if (pageOfBlobs.length > 0) {
    await services.attachments.erase(pageOfBlobs.map((b) => b.id)).catch((error: Error) => services.logger.error({ err: error }, 'could not erase expired attachment bytes'));
  }
  return page;
}

/** Rows ordered by (created_at, id) up to and including `last`. */
function upTo(createdAt: AnySQLiteColumn, id: AnySQLiteColumn, last: { createdAt: number; id: string }): SQL {
  return sql`(${createdAt}, ${id}) <= (${last.createdAt}, ${last.id})`;
}
