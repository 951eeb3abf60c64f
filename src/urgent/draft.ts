/**
 * @module Checks an investigator's urgent-contact draft against the rules the law and the directory impose, and
 * resolves everything the justification names (people, agencies, the two NCBs) so nothing is assumed later.
 */
import { and, eq } from 'drizzle-orm';
import type { Ground, HandlingCode } from '../contact-record/tables';
import type { Actor } from '../directory/actor';
import { agencies } from '../directory/tables';
import { findUser, type User } from '../directory/users';
import { Forbidden, Invalid } from '../errors';
import { defaultInstrument, type LegalInstrument } from '../formal-requests/instruments';
import type { Platform } from '../platform';

export const MIN_NARRATIVE_CHARS = 40;

export interface UrgentContactDraft {
  grounds: Ground[];
  narrative: string;
  caseReference: string;
  offenceCategory: string;
  requestedCountry: string;
  counterpartUserIds: string[];
  soughtInformation: string;
  handlingCode: HandlingCode;
  handlingConditions?: string | null;
  legalInstrument?: string;
}

export interface ResolvedDraft {
  draft: UrgentContactDraft & { legalInstrument: string; handlingConditions: string | null };
  requester: User & { agencyId: string; agencyName: string; countryCode: string };
  counterparts: User[];
  ncbs: { requesting: { id: string; name: string; dutyEmail: string | null }; requested: { id: string; name: string; dutyEmail: string | null } };
}

async function ncbOf(services: Pick<Platform, 'database'>, countryCode: string, which: string) {
  const [ncb] = await services.database.db
    .select({ id: agencies.id, name: agencies.name, dutyEmail: agencies.dutyEmail })
    .from(agencies)
    .where(and(eq(agencies.countryCode, countryCode), eq(agencies.kind, 'ncb')));
  if (!ncb) throw new Invalid(`No NCB is registered for ${countryCode}; the ${which} NCB must be notified, so an administrator has to add it first`, 'requestedCountry');
  return ncb;
}

export async function resolveDraft(services: Pick<Platform, 'database'> & { instruments: readonly LegalInstrument[] }, actor: Actor, input: UrgentContactDraft): Promise<ResolvedDraft> {
  const requester = await findUser(services, actor.userId);
  if (!requester || requester.role !== 'investigator' || !requester.agencyId || !requester.countryCode || !requester.agencyName) {
    throw new Forbidden('Only an investigator of a police agency can open an urgent contact');
  }
  const grounds = [...new Set(input.grounds)].sort();
  if (grounds.length === 0) throw new Invalid('Choose at least one ground: threat_to_life, loss_of_evidence or flight_risk', 'grounds');
  const narrative = input.narrative.trim();
  if (narrative.length < MIN_NARRATIVE_CHARS) {
    throw new Invalid(`Explain why the formal channel cannot wait in at least ${MIN_NARRATIVE_CHARS} characters (you wrote ${narrative.length})`, 'narrative');
  }
  if (input.requestedCountry === requester.countryCode) {
    throw new Invalid('Direct contact is for a foreign colleague: the requested country must differ from your own', 'requestedCountry');
  }
  const instrument = input.legalInstrument ?? defaultInstrument(services.instruments).id;
  if (!services.instruments.some((i) => i.id === instrument)) {
    throw new Invalid(`Unknown legal instrument "${instrument}"; choose one of ${services.instruments.map((i) => i.id).join(', ')}`, 'legalInstrument');
  }
  const conditions = input.handlingConditions?.trim() || null;
  if (input.handlingCode === 'H3' && !conditions) throw new Invalid('Handling code H3 needs the restrictions stated in free text', 'handlingConditions');

  const counterpartIds = [...new Set(input.counterpartUserIds)].sort();
  if (counterpartIds.length === 0) throw new Invalid('Name at least one counterpart investigator in the requested country', 'counterpartUserIds');
  const counterparts: User[] = [];
  for (const id of counterpartIds) {
    const user = await findUser(services, id);
    if (!user || user.status !== 'active') throw new Invalid(`Counterpart ${id} is not an active user`, 'counterpartUserIds');
    if (user.role !== 'investigator') throw new Invalid(`${user.displayName} is not an investigator`, 'counterpartUserIds');
    if (user.countryCode !== input.requestedCountry) {
      throw new Invalid(`${user.displayName} works in ${user.countryCode ?? 'no country'}, not in the requested country ${input.requestedCountry}`, 'counterpartUserIds');
    }
    counterparts.push(user);
  }
  const requesting = await ncbOf(services, requester.countryCode, 'requesting');
  const requested = await ncbOf(services, input.requestedCountry, 'requested');
  return {
    draft: { ...input, grounds, narrative, counterpartUserIds: counterpartIds, legalInstrument: instrument, handlingConditions: conditions },
    requester: requester as ResolvedDraft['requester'],
    counterparts,
    ncbs: { requesting, requested },
  };
}
