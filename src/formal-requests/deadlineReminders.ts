/**
 * @module The deadline clock of formal requests still awaiting submission: reminders to the investigator at 50 % and
 * 90 % of the time allowed, and at the deadline the overdue alert to both NCBs and to compliance (logged). Each step
 * is recorded on the request, so a restarted or repeated scheduler run never sends it twice.
 */
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';
import { emailStatement } from '../outbox/enqueue';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { AWAITING_SUBMISSION } from './lifecycle';
import { formalRequests } from './tables';

export async function runDeadlineReminders(services: Pick<Platform, 'database' | 'clock' | 'config'> & { logWriter: LogWriter }): Promise<{ reminders: number; overdue: number }> {
  const { db } = services.database;
  const now = services.clock.now();
  const open = await db
    .select({
      request: formalRequests,
      caseReference: urgentContacts.caseReference,
      requestingCountry: urgentContacts.requestingCountry,
      requestedCountry: urgentContacts.requestedCountry,
      requesterEmail: users.email,
    })
    .from(formalRequests)
    .innerJoin(urgentContacts, eq(urgentContacts.id, formalRequests.contactId))
    .innerJoin(users, eq(users.id, urgentContacts.requesterUserId))
    .where(
      and(
        inArray(formalRequests.state, [...AWAITING_SUBMISSION]),
        or(isNull(formalRequests.reminded50At), isNull(formalRequests.reminded90At), isNull(formalRequests.overdueAt)),
      ),
    )
    .limit(500);
  let reminders = 0;
  let overdue = 0;
  for (const { request, caseReference, requestingCountry, requestedCountry, requesterEmail } of open) {
    const span = request.deadlineAt - request.openedAt;
    const link = `${services.config.origin}/formal-requests/${request.id}`;
    const remind = (share: number): Statement =>
      emailStatement(services, {
        to: requesterEmail,
        subject: `[Exigent] Formal request for ${caseReference}: ${share} % of the time allowed has passed`,
        text: `The formal request that must follow urgent contact ${caseReference} is due by ${new Date(request.deadlineAt).toISOString()}.\nSubmit it through the formal channel and record it: ${link}`,
      });
    if (now > request.deadlineAt && request.overdueAt === null) {
      const recipients = await db
        .select({ email: users.email })
        .from(users)
        .where(and(eq(users.status, 'active'), eq(users.role, 'compliance')));
      const ncbs = await db
        .select({ dutyEmail: agencies.dutyEmail })
        .from(agencies)
        .where(and(eq(agencies.kind, 'ncb'), inArray(agencies.countryCode, [requestingCountry, requestedCountry])));
      const addresses = [...new Set([...recipients.map((r) => r.email), ...ncbs.flatMap((n) => (n.dutyEmail ? [n.dutyEmail] : []))])];
      await services.logWriter.commit(
        [
          {
            type: 'formal_request.overdue',
            actor: { system: 'scheduler' },
            subject: { formalRequestId: request.id, urgentContactId: request.contactId },
            countries: [requestingCountry, requestedCountry],
            details: { state: request.state, deadlineAt: new Date(request.deadlineAt).toISOString(), instrument: request.instrument },
          },
        ],
        [
          db.update(formalRequests).set({ overdueAt: now, reminded50At: request.reminded50At ?? now, reminded90At: request.reminded90At ?? now }).where(eq(formalRequests.id, request.id)),
          ...addresses.map((to) =>
            emailStatement(services, {
              to,
              subject: `[Exigent] OVERDUE: formal request for urgent contact ${caseReference} (${requestingCountry}→${requestedCountry})`,
              text: `The formal request that had to follow urgent contact ${caseReference} was due by ${new Date(request.deadlineAt).toISOString()} and has not been submitted.\n${link}`,
            }),
          ),
        ],
      );
      overdue++;
    } else if (now >= request.openedAt + 0.9 * span && request.reminded90At === null) {
      await services.database.batch([
        db.update(formalRequests).set({ reminded90At: now, reminded50At: request.reminded50At ?? now }).where(eq(formalRequests.id, request.id)),
        remind(90),
      ]);
      reminders++;
    } else if (now >= request.openedAt + 0.5 * span && request.reminded50At === null) {
      await services.database.batch([db.update(formalRequests).set({ reminded50At: now }).where(eq(formalRequests.id, request.id)), remind(50)]);
      reminders++;
    }
  }
  return { reminders, overdue };
}
