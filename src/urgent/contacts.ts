/**
 * @module Reading urgent contacts (each role sees its own slice), the counterpart's acknowledgement of the handling
 * code, and closing a contact — which makes its conversation read-only. Every change is logged.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { contactCounterparts, urgentContacts } from '../contact-record/tables';
import { contactVisibleTo } from '../contact-record/visibility';
import type { Actor } from '../directory/actor';
import { agencies, users } from '../directory/tables';
import { Conflict, Forbidden, NotFound } from '../errors';
import { formalRequests } from '../formal-requests/tables';
import { ncbNotifications } from '../ncb/tables';
import type { Platform } from '../platform';
import { closeConversationStatement } from '../relay/conversations';

export const contactSummaryColumns = {
  id: urgentContacts.id,
  status: urgentContacts.status,
  requesterUserId: urgentContacts.requesterUserId,
  requesterName: users.displayName,
  requestingCountry: urgentContacts.requestingCountry,
  requestedCountry: urgentContacts.requestedCountry,
  grounds: urgentContacts.grounds,
  caseReference: urgentContacts.caseReference,
  offenceCategory: urgentContacts.offenceCategory,
  handlingCode: urgentContacts.handlingCode,
  conversationId: urgentContacts.conversationId,
  openedAt: urgentContacts.openedAt,
  closedAt: urgentContacts.closedAt,
};

export async function listContacts({ database }: Pick<Platform, 'database'>, actor: Actor, filter: { status?: 'open' | 'closed' } = {}) {
  return database.db
    .select(contactSummaryColumns)
    .from(urgentContacts)
    .innerJoin(users, eq(users.id, urgentContacts.requesterUserId))
    .where(and(contactVisibleTo(actor), filter.status ? eq(urgentContacts.status, filter.status) : undefined))
    .orderBy(desc(urgentContacts.openedAt))
    .limit(500);
}

export async function getContact(services: Pick<Platform, 'database'>, actor: Actor, id: string) {
  const { db } = services.database;
  const [contact] = await db
    .select({
      ...contactSummaryColumns,
      narrative: urgentContacts.narrative,
      soughtInformation: urgentContacts.soughtInformation,
      handlingConditions: urgentContacts.handlingConditions,
      legalInstrument: urgentContacts.legalInstrument,
      justification: urgentContacts.justification,
      justificationHash: urgentContacts.justificationHash,
      closedBy: urgentContacts.closedBy,
      closeReason: urgentContacts.closeReason,
    })
    .from(urgentContacts)
    .innerJoin(users, eq(users.id, urgentContacts.requesterUserId))
    .where(and(eq(urgentContacts.id, id), contactVisibleTo(actor)));
  if (!contact) throw new NotFound(`No urgent contact ${id} that you may see`);
  const counterparts = await db
    .select({ userId: contactCounterparts.userId, displayName: users.displayName, agencyName: agencies.name, handlingAcknowledgedAt: contactCounterparts.handlingAcknowledgedAt })
    .from(contactCounterparts)
    .innerJoin(users, eq(users.id, contactCounterparts.userId))
    .leftJoin(agencies, eq(agencies.id, users.agencyId))
    .where(eq(contactCounterparts.contactId, id));
  const notifications = await db
    .select({
      id: ncbNotifications.id,
      side: ncbNotifications.side,
      countryCode: ncbNotifications.countryCode,
      agencyName: agencies.name,
      createdAt: ncbNotifications.createdAt,
      acknowledgedAt: ncbNotifications.acknowledgedAt,
      escalationLevel: ncbNotifications.escalationLevel,
    })
    .from(ncbNotifications)
    .innerJoin(agencies, eq(agencies.id, ncbNotifications.agencyId))
    .where(eq(ncbNotifications.contactId, id));
  const [formalRequest] = await db
    .select({ id: formalRequests.id, state: formalRequests.state, instrument: formalRequests.instrument, deadlineAt: formalRequests.deadlineAt })
    .from(formalRequests)
    .where(eq(formalRequests.contactId, id));
  return { ...contact, counterparts, notifications, formalRequest: formalRequest ?? null };
}

/** The counterpart confirms they have seen the handling code (and any H3 conditions) and will respect it. */
export async function acknowledgeHandling(services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter }, actor: Actor, id: string) {
  const { db } = services.database;
  const [row] = await db
    .select({ at: contactCounterparts.handlingAcknowledgedAt, code: urgentContacts.handlingCode, requesting: urgentContacts.requestingCountry, requested: urgentContacts.requestedCountry })
    .from(contactCounterparts)
    .innerJoin(urgentContacts, eq(urgentContacts.id, contactCounterparts.contactId))
    .where(and(eq(contactCounterparts.contactId, id), eq(contactCounterparts.userId, actor.userId)));
  if (!row) throw new NotFound(`You are not a counterpart of urgent contact ${id}`);
  if (row.at !== null) return { handlingAcknowledgedAt: row.at };
  const at = services.clock.now();
  await services.logWriter.commit(
    [
      {
        type: 'urgent_contact.handling_acknowledged',
        actor: { userId: actor.userId, role: actor.role },
        subject: { urgentContactId: id, userId: actor.userId },
        countries: [row.requesting, row.requested],
        details: { handlingCode: row.code },
      },
    ],
    [db.update(contactCounterparts).set({ handlingAcknowledgedAt: at }).where(and(eq(contactCounterparts.contactId, id), eq(contactCounterparts.userId, actor.userId)))],
  );
  return { handlingAcknowledgedAt: at };
}

export async function closeContact(services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter }, actor: Actor, input: { id: string; reason: string }) {
  const { db } = services.database;
  const contact = await getContact(services, actor, input.id);
  const participates = actor.role === 'investigator' || actor.role === 'ncb_officer';
  if (!participates) throw new Forbidden('Only the contact’s investigators or an NCB officer of either country can close it');
  if (contact.status === 'closed') throw new Conflict('This urgent contact is already closed');
  const at = services.clock.now();
  await services.logWriter.commit(
    [
      {
        type: 'urgent_contact.closed',
        actor: { userId: actor.userId, role: actor.role },
        subject: { urgentContactId: input.id, conversationId: contact.conversationId },
        countries: [contact.requestingCountry, contact.requestedCountry],
        details: { reason: input.reason },
      },
    ],
    [
      db.update(urgentContacts).set({ status: 'closed', closedAt: at, closedBy: actor.userId, closeReason: input.reason }).where(eq(urgentContacts.id, input.id)),
      closeConversationStatement(services, contact.conversationId, at),
    ],
  );
  return { id: input.id, status: 'closed' as const, closedAt: at };
}
