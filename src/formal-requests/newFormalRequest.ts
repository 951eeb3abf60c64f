/** @module The follow-up formal request opened with every urgent contact: pre-filled from it, with its deadline. */
import type { LogEvent } from '../audit-log/logEvent';
import { Invalid } from '../errors';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import type { LegalInstrument } from './instruments';
import { formalRequests, type FormalRequestDraft } from './tables';

export function deadlineFor(services: { instruments: readonly LegalInstrument[] }, instrumentId: string, from: number): number {
  const instrument = services.instruments.find((i) => i.id === instrumentId);
  if (!instrument) throw new Invalid(`Unknown legal instrument "${instrumentId}"`, 'instrument');
  return from + Math.round(instrument.deadlineHours * 3_600_000);
}

export function newFormalRequest(
  services: Pick<Platform, 'database'> & { instruments: readonly LegalInstrument[] },
  input: { contactId: string; instrument: string; openedAt: number; draft: FormalRequestDraft; countries: string[]; actor: LogEvent['actor'] },
): { id: string; deadlineAt: number; statement: Statement; event: LogEvent } {
  const id = crypto.randomUUID();
  const deadlineAt = deadlineFor(services, input.instrument, input.openedAt);
  return {
    id,
    deadlineAt,
    statement: services.database.db.insert(formalRequests).values({
      id,
      contactId: input.contactId,
      instrument: input.instrument,
      state: 'pending',
      openedAt: input.openedAt,
      deadlineAt,
      draft: input.draft,
      updatedAt: input.openedAt,
    }),
    event: {
      type: 'formal_request.state_changed',
      actor: input.actor,
      subject: { formalRequestId: id, urgentContactId: input.contactId },
      countries: input.countries,
      details: { from: null, to: 'pending', instrument: input.instrument, deadlineAt: new Date(deadlineAt).toISOString() },
    },
  };
}
