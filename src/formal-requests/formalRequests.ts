/**
 * @module Formal requests as their participants see them: list (with overdue flags), read, edit the draft or the
 * deadline, and move through the lifecycle. Every transition and deadline change is logged.
 */
import { and, desc, eq, inArray, lt, not } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import { urgentContacts } from '../contact-record/tables';
import { contactVisibleTo } from '../contact-record/visibility';
import type { Actor } from '../directory/actor';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { LegalInstrument } from './instruments';
import { AWAITING_SUBMISSION, isOverdue, NEXT_STATES, STEP_ROLES } from './lifecycle';
import { deadlineFor } from './newFormalRequest';
import { formalRequests, type FormalRequestDraft, type FormalRequestState } from './tables';

const columns = {
  id: formalRequests.id,
  contactId: formalRequests.contactId,
  instrument: formalRequests.instrument,
  state: formalRequests.state,
  openedAt: formalRequests.openedAt,
  deadlineAt: formalRequests.deadlineAt,
  draft: formalRequests.draft,
  channel: formalRequests.channel,
  channelReference: formalRequests.channelReference,
  submittedAt: formalRequests.submittedAt,
  withdrawnReason: formalRequests.withdrawnReason,
  updatedAt: formalRequests.updatedAt,
  requesterUserId: urgentContacts.requesterUserId,
  requestingCountry: urgentContacts.requestingCountry,
  requestedCountry: urgentContacts.requestedCountry,
  caseReference: urgentContacts.caseReference,
};

const withFlags = (now: number) => <R extends { state: FormalRequestState; deadlineAt: number }>(r: R) => ({ ...r, overdue: isOverdue(r, now) });

export async function listFormalRequests(services: Pick<Platform, 'database' | 'clock'>, actor: Actor, filter: { overdue?: boolean; state?: FormalRequestState } = {}) {
  const now = services.clock.now();
  // isOverdue in SQL: filtered after the newest 500 were read, an older overdue request would never be listed.
  const overdue = and(inArray(formalRequests.state, [...AWAITING_SUBMISSION]), lt(formalRequests.deadlineAt, now))!;
  const rows = await services.database.db
    .select(columns)
    .from(formalRequests)
    .innerJoin(urgentContacts, eq(urgentContacts.id, formalRequests.contactId))
    .where(
      and(
        contactVisibleTo(actor),
        filter.state ? eq(formalRequests.state, filter.state) : undefined,
        filter.overdue === undefined ? undefined : filter.overdue ? overdue : not(overdue),
      ),
    )
    .orderBy(desc(formalRequests.openedAt))
    .limit(500);
  return rows.map(withFlags(now));
}

export async function getFormalRequest(services: Pick<Platform, 'database' | 'clock'>, actor: Actor, id: string) {
  const [row] = await services.database.db
    .select(columns)
    .from(formalRequests)
    .innerJoin(urgentContacts, eq(urgentContacts.id, formalRequests.contactId))
    .where(and(eq(formalRequests.id, id), contactVisibleTo(actor)));
  if (!row) throw new NotFound(`No formal request ${id} that you may see`);
  return withFlags(services.clock.now())(row);
}

export interface TransitionInput {
  to: FormalRequestState;
  channel?: string;
  channelReference?: string;
  submittedAt?: number;
  reason?: string;
}

export async function transitionFormalRequest(services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; instruments: readonly LegalInstrument[] }, actor: Actor, id: string, input: TransitionInput) {
  const request = await getFormalRequest(services, actor, id);
  if (!NEXT_STATES[request.state].includes(input.to)) {
    const allowed = NEXT_STATES[request.state];
    throw new Conflict(`A ${request.state} request cannot become ${input.to}; ${allowed.length ? `next is ${allowed.join(' or ')}` : 'it is final'}`);
  }
  if (!STEP_ROLES[input.to].includes(actor.role)) throw new Forbidden(`Marking a request ${input.to} is for ${STEP_ROLES[input.to].join(' or ')}`);
  if (actor.role === 'investigator' && request.requesterUserId !== actor.userId) throw new Forbidden('Only the requesting investigator moves this request');
  const now = services.clock.now();
  const set: Partial<typeof formalRequests.$inferInsert> = { state: input.to, updatedAt: now };
  if (input.to === 'submitted') {
    const instrument = services.instruments.find((i) => i.id === request.instrument);
    if (!input.channel || !instrument?.channels.includes(input.channel)) {
      throw new Invalid(`Name the formal channel used: one of ${instrument?.channels.join(', ') ?? '(none configured)'}`, 'channel');
    }
    if (!input.channelReference?.trim()) throw new Invalid('Give the reference number the formal channel assigned', 'channelReference');
    const submittedAt = input.submittedAt ?? now;
    if (submittedAt > now || submittedAt < request.openedAt) throw new Invalid('The submission date must lie between the opening of the contact and now', 'submittedAt');
    Object.assign(set, { channel: input.channel, channelReference: input.channelReference.trim(), submittedAt });
  }
  if (input.to === 'withdrawn') {
    if (!input.reason?.trim()) throw new Invalid('Say why the request is withdrawn', 'reason');
    set.withdrawnReason = input.reason.trim();
  }
  await services.logWriter.commit(
    [
      {
        type: 'formal_request.state_changed',
        actor: { userId: actor.userId, role: actor.role },
        subject: { formalRequestId: id, urgentContactId: request.contactId },
        countries: [request.requestingCountry, request.requestedCountry],
        details: {
          from: request.state,
          to: input.to,
          ...(input.to === 'submitted' ? { channel: set.channel, channelReference: set.channelReference, submittedAt: new Date(set.submittedAt!).toISOString() } : {}),
          ...(input.to === 'withdrawn' ? { reason: set.withdrawnReason } : {}),
          overdue: request.overdue,
        },
      },
    ],
    // Guarded by the state just read, so two racing transitions cannot both apply.
    [services.database.db.update(formalRequests).set(set).where(and(eq(formalRequests.id, id), eq(formalRequests.state, request.state)))],
  );
  return getFormalRequest(services, actor, id);
}

/**
 * The investigator edits the pre-filled draft while it is not yet submitted; an NCB officer may change the legal
 * instrument (which resets the deadline from the opening) or set the deadline directly.
 */
export async function updateFormalRequest(
  services: Pick<Platform, 'database' | 'clock'> & { logWriter: LogWriter; instruments: readonly LegalInstrument[] },
  actor: Actor,
  id: string,
  input: { draft?: Partial<FormalRequestDraft>; instrument?: string; deadlineAt?: number },
) {
  const request = await getFormalRequest(services, actor, id);
  const set: Partial<typeof formalRequests.$inferInsert> = { updatedAt: services.clock.now() };
  if (input.draft) {
    if (actor.userId !== request.requesterUserId) throw new Forbidden('Only the requesting investigator edits the draft');
    if (!AWAITING_SUBMISSION.includes(request.state)) throw new Conflict(`The request is ${request.state}; its draft can no longer change`);
    set.draft = { ...request.draft, ...input.draft };
  }
  if (input.instrument !== undefined || input.deadlineAt !== undefined) {
    if (actor.role !== 'ncb_officer') throw new Forbidden('Only an NCB officer changes the legal instrument or the deadline');
    if (input.instrument !== undefined) {
      set.instrument = input.instrument;
      set.deadlineAt = deadlineFor(services, input.instrument, request.openedAt);
    }
    if (input.deadlineAt !== undefined) {
      if (input.deadlineAt <= request.openedAt) throw new Invalid('The deadline must be after the contact was opened', 'deadlineAt');
      set.deadlineAt = input.deadlineAt;
    }
  }
  const changes = Object.keys(set).filter((k) => k !== 'updatedAt');
  if (changes.length === 0) throw new Invalid('Nothing to change: send draft, instrument or deadlineAt', 'body');
  await services.logWriter.commit(
    [
      {
        type: 'formal_request.updated',
        actor: { userId: actor.userId, role: actor.role },
        subject: { formalRequestId: id, urgentContactId: request.contactId },
        countries: [request.requestingCountry, request.requestedCountry],
        details: {
          changed: changes,
          ...(set.deadlineAt !== undefined ? { deadlineAt: new Date(set.deadlineAt).toISOString(), previousDeadlineAt: new Date(request.deadlineAt).toISOString() } : {}),
          ...(set.instrument !== undefined ? { instrument: set.instrument } : {}),
        },
      },
    ],
    [services.database.db.update(formalRequests).set(set).where(eq(formalRequests.id, id))],
  );
  return getFormalRequest(services, actor, id);
}
