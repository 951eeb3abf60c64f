/**
 * @module Escalation of unacknowledged NCB notifications: after one window every officer of that NCB and every
 * administrator is alerted, after two windows again (level 2, final). Each step is claimed in its own batch
 * (ncb_escalations), so overlapping runs, a restart or two processes never escalate twice. Due notifications are read
 * in pages, longest-waiting first, until none is left or the tick's budget is spent.
 */
import { and, asc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';
import { emailStatement } from '../outbox/enqueue';
import type { Platform } from '../platform';
import type { LivePublisher } from '../relay/deliveryHub';
import { drainInPages, type WorkBudget } from '../storage/drainInPages';
import { ESCALATION_STILL_DUE, ncbEscalations, ncbNotifications } from './tables';

export const MAX_ESCALATION_LEVEL = 2;

type EscalationServices = Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { logWriter: LogWriter; hub: LivePublisher };
type DueNotification = Awaited<ReturnType<typeof duePage>>[number];

const PAGE_SIZE = 100;

/**
 * Takes every escalation step due now, within `budget`; returns how many were taken.
 * @example
 * const escalated = await escalateUnacknowledged(services, { budget: { ms: 10_000 } });
 */
export async function escalateUnacknowledged(services: EscalationServices, options: { budget?: WorkBudget } = {}): Promise<number> {
  const now = services.clock.now();
  let escalated = 0;
  // Where the previous page ended, so a run takes at most one step per notification (level 2 follows level 1 in a
  // later run, never in the same breath) and a notification whose step failed is not read again until the next run.
  let after: { createdAt: number; id: string } | undefined;
  const { exhausted } = await drainInPages(options.budget ?? {}, PAGE_SIZE, async (limit) => {
    const page = await duePage(services, now, after, limit);
    for (const row of page) {
      // One notification that cannot be written must not hold up the ones due after it.
      const taken = await escalate(services, row, now).catch((error: Error) => {
        services.logger.error({ err: error, notificationId: row.n.id }, 'escalation failed; the next scheduler run retries it');
        return false;
      });
      if (taken) escalated += 1;
    }
    const last = page.at(-1);
    if (last) after = { createdAt: last.n.createdAt, id: last.n.id };
    return page.length;
  });
  if (exhausted) services.logger.warn({ escalated }, 'escalations stopped at the tick budget; the next run continues with the longest-waiting');
  return escalated;
}

function duePage({ database, config }: EscalationServices, now: number, after: { createdAt: number; id: string } | undefined, limit: number) {
  const window = config.ncbEscalationMs;
  return database.db
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
        after && or(gt(ncbNotifications.createdAt, after.createdAt), and(eq(ncbNotifications.createdAt, after.createdAt), gt(ncbNotifications.id, after.id))),
      ),
    )
    .orderBy(asc(ncbNotifications.createdAt), asc(ncbNotifications.id))
    .limit(limit);
}

/** False when the step was not taken: another run took it, or the officers acknowledged meanwhile. */
async function escalate(services: EscalationServices, { n, agencyName, caseReference }: DueNotification, now: number): Promise<boolean> {
  const { db } = services.database;
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
  if (!claimed) return false; // nothing was written
  services.hub.publish(`ncb:${n.agencyId}`, { type: 'escalated', notificationId: n.id, level });
  services.logger.warn({ notificationId: n.id, level }, 'NCB notification escalated');
  return true;
}
