/**
 * @module One contact as compliance (or, read-only, its NCBs) reviews it: the review record, the passkey signature
 * re-verified from the stored assertion against the passkey's key as the log recorded it (src/compliance/
 * verifyCaseSignature.ts), the timeline from the tamper-evident log, and the decision history. Nothing here
 * touches message content.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { logEntries } from '../audit-log/tables';
import { urgentContacts } from '../contact-record/tables';
import type { Actor } from '../directory/actor';
import { NotFound } from '../errors';
import type { Platform } from '../platform';
import { reviewHistory } from './decisions';
import { reviewRecords } from './reviewRecords';
import { verifyCaseSignature } from './verifyCaseSignature';

export async function caseView(services: Pick<Platform, 'database' | 'clock' | 'config'>, actor: Actor, id: string) {
  const [record] = await reviewRecords(services, actor, {}, [id]);
  if (!record) throw new NotFound(`No urgent contact ${id} that you may review`);
  const [signed] = await services.database.db
    .select({
      justification: urgentContacts.justification,
      justificationHash: urgentContacts.justificationHash,
      credentialId: urgentContacts.credentialId,
      authenticatorData: urgentContacts.authenticatorData,
      clientDataJson: urgentContacts.clientDataJson,
      signature: urgentContacts.signature,
      credentialPublicKey: urgentContacts.credentialPublicKey,
    })
    .from(urgentContacts)
    .where(eq(urgentContacts.id, id));
  const entries = await services.database.db
    .select({ index: logEntries.idx, type: logEntries.type, data: logEntries.data })
    .from(logEntries)
    .where(eq(sql`json_extract(${logEntries.data}, '$.subject.urgentContactId')`, id))
    .orderBy(asc(logEntries.idx));
  const openedAt = entries.find((e) => e.type === 'urgent_contact.opened')?.index;
  const signature = await verifyCaseSignature(services, { signed: signed!, openedAt });
  const timeline = entries.map((e) => {
    const leaf = JSON.parse(e.data) as { at: string; actor: { role?: string; system?: string }; details: Record<string, unknown> };
    return { logIndex: e.index, type: e.type, at: leaf.at, actor: leaf.actor.role ?? leaf.actor.system ?? 'unknown', details: summarise(e.type, leaf.details) };
  });
  return { record, justification: JSON.parse(signed!.justification) as Record<string, unknown>, signature, timeline, decisions: await reviewHistory(services, actor, id) };
}

/** The opening entry carries the whole justification and assertion, already shown elsewhere: keep the timeline short. */
function summarise(type: string, details: Record<string, unknown>): Record<string, unknown> {
  if (type === 'urgent_contact.opened') return { justificationHash: details.justificationHash };
  return details;
}
