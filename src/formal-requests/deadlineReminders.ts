/**
 * @module The deadline clock of formal requests still awaiting submission: reminders to the investigator at 50 % and
 * 90 % of the time allowed, and at the deadline the overdue alert to both NCBs and to compliance (logged). Each step
 * is recorded on the request, so a restarted or repeated scheduler run never sends it twice. Only due requests are
 * read, by `next_step_at`, in pages and in the order they fell due, so however many requests are open every due
 * step is taken, the longest-due first.
 */
import { and, asc, eq, gt, inArray, lte, or } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { agencies, users } from '../directory/tables';
import { emailStatement } from '../outbox/enqueue';
import type { Platform } from '../platform';
import { drainInPages, type WorkBudget } from '../storage/drainInPages';
import { formalRequests, reminderAt } from './tables';

type DeadlineServices = Pick<Platform, 'database' | 'clock' | 'config' | 'logger'> & { logWriter: LogWriter };
type DueRequest = Awaited<ReturnType<typeof duePage>>[number];

const PAGE_SIZE = 100;

/**
 * Takes every deadline step due now, within `budget`.
 * @example
 * const { reminders, overdue } = await runDeadlineReminders(services, { budget: { ms: 10_000 } });
 */
export async function runDeadlineReminders(services: DeadlineServices, options: { budget?: WorkBudget } = {}): Promise<{ reminders: number; overdue: number }> {
  const now = services.clock.now();
  const done = { reminders: 0, overdue: 0 };
  // Where the previous page ended: a request whose step failed stays due but is not read again in this run.
  let after: { nextStepAt: number; id: string } | undefined;
  const { exhausted } = await drainInPages(options.budget ?? {}, PAGE_SIZE, async (limit) => {
    const page = await duePage(services, now, after, limit);
    for (const row of page) {
      // One request that cannot be written (a fault, a refused batch) must not hold up the ones due after it.
      const step = await takeStep(services, row, now).catch((error: Error) => {
        services.logger.error({ err: error, formalRequestId: row.request.id }, 'deadline step failed; the next scheduler run retries it');
        return undefined;
      });
      if (step) done[step]++;
    }
    const last = page.at(-1);
    if (last) after = { nextStepAt: last.request.nextStepAt!, id: last.request.id };
    return page.length;
  });
  if (exhausted) services.logger.warn(done, 'deadline steps stopped at the tick budget; the next run continues with the longest-due');
  return done;
}

function duePage({ database }: DeadlineServices, now: number, after: { nextStepAt: number; id: string } | undefined, limit: number) {
  return database.db
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
        lte(formalRequests.nextStepAt, now),
        after && or(gt(formalRequests.nextStepAt, after.nextStepAt), and(eq(formalRequests.nextStepAt, after.nextStepAt), gt(formalRequests.id, after.id))),
      ),
    )
    .orderBy(asc(formalRequests.nextStepAt), asc(formalRequests.id))
    .limit(limit);
}

/** The furthest step reached: past the deadline the reminders are skipped, past 90 % the 50 % one is. */
async function takeStep(services: DeadlineServices, row: DueRequest, now: number): Promise<'reminders' | 'overdue'> {
  const { request } = row;
  const { db } = services.database;
  if (now > request.deadlineAt) {
    await alertOverdue(services, row, now);
    return 'overdue';
  }
  const share = now >= reminderAt(request, 90) ? 90 : 50;
  await services.database.batch([
    db
      .update(formalRequests)
      .set(share === 90 ? { reminded90At: now, reminded50At: request.reminded50At ?? now } : { reminded50At: now })
      .where(eq(formalRequests.id, request.id)),
    emailStatement(services, {
      to: row.requesterEmail,
      subject: `[Exigent] Formal request for ${row.caseReference}: ${share} % of the time allowed has passed`,
      text: `The formal request that must follow urgent contact ${row.caseReference} is due by ${new Date(request.deadlineAt).toISOString()}.\nSubmit it through the formal channel and record it: ${linkTo(services, request.id)}`,
    }),
  ]);
  return 'reminders';
}

async function alertOverdue(services: DeadlineServices, { request, caseReference, requestingCountry, requestedCountry }: DueRequest, now: number): Promise<void> {
  const { db } = services.database;
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
          text: `The formal request that had to follow urgent contact ${caseReference} was due by ${new Date(request.deadlineAt).toISOString()} and has not been submitted.\n${linkTo(services, request.id)}`,
        }),
      ),
    ],
  );
}

const linkTo = (services: DeadlineServices, id: string) => `${services.config.origin}/formal-requests/${id}`;
