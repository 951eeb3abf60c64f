/**
 * @module Escalation of unacknowledged NCB notifications: after one window every officer of that NCB and every
 * administrator is alerted, after two windows again (level 2, final). Each step is claimed in its own batch
 * (ncb_escalations), so overlapping runs, a restart or two processes never escalate twice.
 */
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';
import { emailStatement } from '../outbox/enqueue';
import type { Platform } from '../platform';
import type { DeliveryHub } from '../relay/deliveryHub';
import { ESCALATION_STILL_DUE, ncbEscalations, ncbNotifications } from './tables';

export const MAX_ESCALATION_LEVEL = 2;

export async function escalateUnacknowledged(services: Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { logWriter: LogWriter; hub: DeliveryHub }): Promise<number> {
  const { db } = services.database;
  const now = services.clock.now();
  const window = services.config.ncbEscalationMs;
  const due = await db
    .select({ n: ncbNotifications, agencyName: agencies.name, caseReference: urgentContacts.caseReference })
    .from(ncbNotifications)
    .innerJoin(agencies, eq(agencies.id, ncbNotifications.agencyId))
    .innerJoin(urgentContacts, eq(urgentContacts.id, ncbNotifications.contactId))
    .where(
      and(
        isNull(ncbNotifications.acknowledgedAt),
        or(
          and(eq(ncbNotifications.escalationLevel, 0), lte(ncbNotifications.createdAt, now - window)),
          and(eq(ncbNotifications.escalationLevel, 1), lte(ncbNotifications.createdAt, now - 2 * window)),
        ),
      ),
    )
    .limit(100);
  let escalated = 0;
  for (const { n, agencyName, caseReference } of due) {
    const level = n.escalationLevel + 1;
    const recipients = await db
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.status, 'active'), or(eq(users.agencyId, n.agencyId), eq(users.role, 'admin'))));
    const minutes = Math.round((now - n.createdAt) / 60_000);
    const claimed = await services.logWriter.commit(
      [
        {
          type: 'ncb.escalated',
          actor: { system: 'scheduler' },
          subject: { urgentContactId: n.contactId, notificationId: n.id, agencyId: n.agencyId },
          countries: [n.countryCode],
          details: { level, minutesUnacknowledged: minutes, alerted: recipients.length },
        },
      ],
      [
        // Claims the step: fails the whole batch if another run took it or the officers acknowledged meanwhile.
        db.insert(ncbEscalations).values({
          notificationId: n.id,
          level,
          escalatedAt: now,
          stillDue: sql`(select count(*) from ${ncbNotifications} where ${ncbNotifications.id} = ${n.id} and ${ncbNotifications.acknowledgedAt} is null and ${ncbNotifications.escalationLevel} = ${n.escalationLevel})`,
        }),
        db
          .update(ncbNotifications)
          .set({ escalationLevel: level, escalatedAt: now })
          .where(and(eq(ncbNotifications.id, n.id), eq(ncbNotifications.escalationLevel, n.escalationLevel), isNull(ncbNotifications.acknowledgedAt))),
        ...recipients.map((r) =>
          emailStatement(services, {
            to: r.email,
            subject: `[Exigent] ESCALATION ${level}/${MAX_ESCALATION_LEVEL}: ${agencyName} has not acknowledged urgent contact ${caseReference} for ${minutes} min`,
            text: `The mandatory notification to ${agencyName} about urgent contact ${caseReference} has not been acknowledged for ${minutes} minutes.\nAcknowledge it now: ${services.config.origin}/ncb`,
          }),
        ),
      ],
    ).then(
      () => true,
      (error: unknown) => {
        if (services.database.isUniqueViolation(error, 'ncb_escalations') || services.database.isCheckViolation(error, ESCALATION_STILL_DUE)) return false;
        throw error;
      },
    );
    if (!claimed) continue; // another run escalated it, or it was acknowledged: nothing was written
    escalated += 1;
    services.hub.publish(`ncb:${n.agencyId}`, { type: 'escalated', notificationId: n.id, level });
    services.logger.warn({ notificationId: n.id, level }, 'NCB notification escalated');
  }
  return escalated;
}
