/** @module Who takes part in an urgent contact and who may see it: the SQL conditions every reader shares. */
import { eq, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { contactCounterparts, urgentContacts } from './tables';

/** The user opened the contact or is one of its counterparts. */
export function takesPart(userId: string): SQL {
  return or(
    eq(urgentContacts.requesterUserId, userId),
    sql`exists (select 1 from ${contactCounterparts} where ${contactCounterparts.contactId} = ${urgentContacts.id} and ${contactCounterparts.userId} = ${userId})`,
  )!;
}

/** Who may see a contact (and its formal request): its investigators, and the NCB officers of either country. */
export function contactVisibleTo(actor: Actor): SQL {
  if (actor.role === 'investigator') return takesPart(actor.userId);
  if (actor.role === 'ncb_officer' && actor.countryCode) {
    return or(eq(urgentContacts.requestingCountry, actor.countryCode), eq(urgentContacts.requestedCountry, actor.countryCode))!;
  }
  return sql`0`;
}
