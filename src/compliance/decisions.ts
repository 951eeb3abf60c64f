/**
 * @module Compliance decisions on urgent contacts and the investigator's answers to "needs information". A decision
 * is never edited: a revision is a new, logged decision, and the latest one stands. Reviewers may not judge a
 * contact they took part in.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { contactVisibleTo, takesPart } from '../contact-record/visibility';
import type { Actor } from '../directory/actor';
import { users } from '../directory/tables';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import { reviewAnswers, reviewDecisions, type Decision } from './tables';

/**
 * The contact if the actor may see its reviews — compliance every one, investigators those they take part in, NCB
 * officers their country's — and otherwise the same NotFound as for a missing id, so ids cannot be probed.
 */
async function visibleContact(services: Pick<Platform, 'database'>, actor: Actor, id: string) {
  const [contact] = await services.database.db
    .select({ id: urgentContacts.id, requesterUserId: urgentContacts.requesterUserId, requesting: urgentContacts.requestingCountry, requested: urgentContacts.requestedCountry })
    .from(urgentContacts)
    .where(and(eq(urgentContacts.id, id), actor.role === 'compliance' ? undefined : contactVisibleTo(actor)));
  if (!contact) throw new NotFound(`No urgent contact ${id} that you may see`);
  return contact;
}

async function takesPartIn(services: Pick<Platform, 'database'>, userId: string, contactId: string): Promise<boolean> {
  const [row] = await services.database.db
    .select({ id: urgentContacts.id })
    .from(urgentContacts)
    .where(and(eq(urgentContacts.id, contactId), takesPart(userId)));
  return row !== undefined;
}

export async function decide(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter },
  actor: Actor,
  input: { contactId: string; decision: Decision; comment: string; question?: string | null },
) {
  const contact = await visibleContact(services, actor, input.contactId);
  if (await takesPartIn(services, actor.userId, contact.id)) throw new Forbidden('You took part in this urgent contact and cannot review it');
  const question = input.question?.trim() || null;
  if (input.decision === 'needs_information' && !question) throw new Invalid('Ask the investigator a question when you need information', 'question');
  if (input.decision !== 'needs_information' && question) throw new Invalid('A question goes only with needs_information', 'question');
  const id = crypto.randomUUID();
  const at = services.clock.now();
  const previous = await latestDecision(services, contact.id);
  await services.logWriter.commit(
    [
      {
        type: 'compliance.decision',
        actor: { userId: actor.userId, role: actor.role },
        subject: { urgentContactId: contact.id, decisionId: id },
        countries: [contact.requesting, contact.requested],
        details: { decision: input.decision, comment: input.comment, question, revises: previous?.id ?? null },
      },
    ],
    [services.database.db.insert(reviewDecisions).values({ id, contactId: contact.id, reviewerUserId: actor.userId, decision: input.decision, comment: input.comment, question, createdAt: at })],
  );
  return { id, contactId: contact.id, decision: input.decision, comment: input.comment, question, createdAt: at, revises: previous?.id ?? null };
}

async function latestDecision(services: Pick<Platform, 'database'>, contactId: string) {
  const [row] = await services.database.db
    .select()
    .from(reviewDecisions)
    .where(eq(reviewDecisions.contactId, contactId))
    .orderBy(sql`${reviewDecisions.createdAt} desc, rowid desc`)
    .limit(1);
  return row;
}

/** The decision history with answers, oldest first. Investigators see it only for contacts they opened or joined. */
export async function reviewHistory(services: Pick<Platform, 'database'>, actor: Actor, contactId: string) {
  await visibleContact(services, actor, contactId);
  const { db } = services.database;
  const decisions = await db
    .select({
      id: reviewDecisions.id,
      decision: reviewDecisions.decision,
      comment: reviewDecisions.comment,
      question: reviewDecisions.question,
      createdAt: reviewDecisions.createdAt,
      reviewerName: users.displayName,
    })
    .from(reviewDecisions)
    .innerJoin(users, eq(users.id, reviewDecisions.reviewerUserId))
    .where(eq(reviewDecisions.contactId, contactId))
    .orderBy(asc(reviewDecisions.createdAt));
  const answers = await db
    .select({ id: reviewAnswers.id, decisionId: reviewAnswers.decisionId, answer: reviewAnswers.answer, createdAt: reviewAnswers.createdAt, authorName: users.displayName })
    .from(reviewAnswers)
    .innerJoin(users, eq(users.id, reviewAnswers.authorUserId))
    .where(eq(reviewAnswers.contactId, contactId))
    .orderBy(asc(reviewAnswers.createdAt));
  return decisions.map((d) => ({ ...d, answers: answers.filter((a) => a.decisionId === d.id) }));
}

/** The requesting investigator answers the open question of the latest needs_information decision. */
export async function answerQuestion(services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter }, actor: Actor, input: { contactId: string; answer: string }) {
  // A counterpart sees the contact and is told why they may not answer; anyone else finds no such contact.
  const contact = await visibleContact(services, actor, input.contactId);
  if (contact.requesterUserId !== actor.userId) throw new Forbidden('Only the investigator who opened the contact answers compliance');
  const latest = await latestDecision(services, contact.id);
  if (!latest || latest.decision !== 'needs_information') throw new Conflict('Compliance has no open question on this contact');
  const id = crypto.randomUUID();
  const at = services.clock.now();
  await services.logWriter.commit(
    [
      {
        type: 'compliance.information_provided',
        actor: { userId: actor.userId, role: actor.role },
        subject: { urgentContactId: contact.id, decisionId: latest.id, answerId: id },
        countries: [contact.requesting, contact.requested],
        details: { answer: input.answer },
      },
    ],
    [services.database.db.insert(reviewAnswers).values({ id, decisionId: latest.id, contactId: contact.id, authorUserId: actor.userId, answer: input.answer, createdAt: at })],
  );
  return { id, decisionId: latest.id, answer: input.answer, createdAt: at };
}
