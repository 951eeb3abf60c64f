/** @module An NCB officer's inbox of mandatory notifications: unacknowledged first; one-click, logged acknowledgement. */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import type { Actor } from '../directory/actor';
import { users } from '../directory/tables';
import { Forbidden, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { LivePublisher } from '../relay/deliveryHub';
import { ncbNotifications } from './tables';

function requireNcbOfficer(actor: Actor): string {
  if (actor.role !== 'ncb_officer' || !actor.agencyId) throw new Forbidden('Only NCB officers have a notification inbox');
  return actor.agencyId;
}

export async function listInbox(services: Pick<Platform, 'database'>, actor: Actor, filter: { pending?: boolean } = {}) {
  const agencyId = requireNcbOfficer(actor);
  return services.database.db
    .select({
      id: ncbNotifications.id,
      side: ncbNotifications.side,
      createdAt: ncbNotifications.createdAt,
      acknowledgedAt: ncbNotifications.acknowledgedAt,
      acknowledgedBy: ncbNotifications.acknowledgedBy,
      escalationLevel: ncbNotifications.escalationLevel,
      urgentContactId: urgentContacts.id,
      status: urgentContacts.status,
      requestingCountry: urgentContacts.requestingCountry,
      requestedCountry: urgentContacts.requestedCountry,
      grounds: urgentContacts.grounds,
      narrative: urgentContacts.narrative,
      caseReference: urgentContacts.caseReference,
      requesterName: users.displayName,
      counterparts: sql<string>`(select json_group_array(u.display_name) from contact_counterparts cc join users u on u.id = cc.user_id where cc.contact_id = ${urgentContacts.id})`,
    })
    .from(ncbNotifications)
    .innerJoin(urgentContacts, eq(urgentContacts.id, ncbNotifications.contactId))
    .innerJoin(users, eq(users.id, urgentContacts.requesterUserId))
    .where(and(eq(ncbNotifications.agencyId, agencyId), filter.pending ? isNull(ncbNotifications.acknowledgedAt) : undefined))
    // Unacknowledged first, escalated and oldest on top: the most overdue work leads the list.
    .orderBy(sql`${ncbNotifications.acknowledgedAt} is not null`, desc(ncbNotifications.escalationLevel), asc(ncbNotifications.createdAt))
    .limit(500)
    .then((rows) => rows.map((r) => ({ ...r, counterparts: JSON.parse(r.counterparts) as string[] })));
}

export async function acknowledgeNotification(services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; hub: LivePublisher }, actor: Actor, id: string) {
  const agencyId = requireNcbOfficer(actor);
  const { db } = services.database;
  const [row] = await db
    .select({ notification: ncbNotifications, contactId: urgentContacts.id })
    .from(ncbNotifications)
    .innerJoin(urgentContacts, eq(urgentContacts.id, ncbNotifications.contactId))
    .where(and(eq(ncbNotifications.id, id), eq(ncbNotifications.agencyId, agencyId)));
  if (!row) throw new NotFound(`Your NCB has no notification ${id}`);
  const { notification } = row;
  // A second click (or a colleague's) changes nothing: the first acknowledgement is the one on record.
  if (notification.acknowledgedAt !== null) return { id, acknowledgedAt: notification.acknowledgedAt, acknowledgedBy: notification.acknowledgedBy };
  const at = services.clock.now();
  await services.logWriter.commit(
    [
      {
        type: 'ncb.acknowledged',
        actor: { userId: actor.userId, role: actor.role },
        subject: { urgentContactId: row.contactId, notificationId: id, agencyId },
        countries: [notification.countryCode],
        details: { secondsAfterNotification: Math.round((at - notification.createdAt) / 1000), escalationLevel: notification.escalationLevel },
      },
    ],
    [db.update(ncbNotifications).set({ acknowledgedAt: at, acknowledgedBy: actor.userId }).where(and(eq(ncbNotifications.id, id), isNull(ncbNotifications.acknowledgedAt)))],
  );
  services.hub.publish(`ncb:${agencyId}`, { type: 'acknowledged', notificationId: id, by: actor.userId });
  return { id, acknowledgedAt: at, acknowledgedBy: actor.userId };
}

export async function unacknowledgedCount(services: Pick<Platform, 'database'>, actor: Actor): Promise<number> {
  const agencyId = requireNcbOfficer(actor);
  const [row] = await services.database.db
    .select({ n: sql<number>`count(*)` })
    .from(ncbNotifications)
    .where(and(eq(ncbNotifications.agencyId, agencyId), isNull(ncbNotifications.acknowledgedAt)));
  return row?.n ?? 0;
}
