/**
 * @module Retention: ciphertext nobody fetched and attachments are erased after the configured period, so the
 * server never becomes an archive of encrypted case material. Each purge that erased something is logged.
 */
import { and, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import type { Platform } from '../platform';
import type { AttachmentStore } from './attachmentStore';
import { deliveries, blobs, messages } from './tables';

export interface PurgeReport {
  envelopes: number;
  blobs: number;
  cutoff: number;
}

/** Work per run is bounded so a purge never holds the writer for long; the timer comes back for the rest. */
const PURGE_BATCH = 5000;

export async function purgeExpired(
  services: Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { logWriter: LogWriter; attachments: AttachmentStore },
): Promise<PurgeReport> {
  const { db } = services.database;
  const cutoff = services.clock.now() - services.config.retentionMs;
  const expiredMessages = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(isNotNull(messages.envelope), lt(messages.createdAt, cutoff)))
    .limit(PURGE_BATCH);
  // Envelopes whose every copy went away (acknowledged, or dropped with a revoked device) are erased too.
  const orphaned = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(isNotNull(messages.envelope), sql`not exists (select 1 from ${deliveries} where ${deliveries.messageId} = ${messages.id})`))
    .limit(PURGE_BATCH);
  const expiredBlobs = await db.select({ id: blobs.id }).from(blobs).where(lt(blobs.createdAt, cutoff)).limit(PURGE_BATCH);
  const messageIds = [...new Set([...expiredMessages, ...orphaned].map((m) => m.id))];
  const report = { envelopes: messageIds.length, blobs: expiredBlobs.length, cutoff };
  if (messageIds.length === 0 && expiredBlobs.length === 0) return report;
  const statements = [];
  if (messageIds.length > 0) {
    statements.push(db.delete(deliveries).where(inArray(deliveries.messageId, messageIds)));
    statements.push(db.update(messages).set({ envelope: null }).where(inArray(messages.id, messageIds)));
  }
  if (expiredBlobs.length > 0) statements.push(db.delete(blobs).where(inArray(blobs.id, expiredBlobs.map((b) => b.id))));
  await services.logWriter.commit(
    [
      {
        type: 'relay.purged',
        actor: { system: 'retention' },
        subject: {},
        details: { envelopes: report.envelopes, blobs: report.blobs, cutoff: new Date(cutoff).toISOString() },
      },
    ],
    statements,
  );
  // After the rows: if this fails, the next purge cannot see the bytes again, so the bucket's own lifecycle rule
  // (README) is the backstop; bytes without a row are unreachable through the API.
  if (expiredBlobs.length > 0) {
    await services.attachments.erase(expiredBlobs.map((b) => b.id)).catch((error: Error) => services.logger.error({ err: error }, 'could not erase expired attachment bytes'));
  }
  services.logger.info(report, 'retention purge erased expired ciphertext');
  return report;
}
