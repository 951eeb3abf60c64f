/**
 * @module The mandatory notifications of both NCBs when an urgent contact opens: one row per NCB, an e-mail to its
 * duty address and a signed webhook to each of its endpoints — all as statements for the opener's atomic batch.
 */
import type { LogEvent } from '../audit-log/logEvent';
import type { Ground } from '../contact-record/tables';
import { emailStatement, webhookStatements } from '../outbox/enqueue';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { ncbNotifications } from './tables';

export const GROUND_LABELS: Record<Ground, string> = {
  threat_to_life: 'threat to the life or health of the victim or their family',
  loss_of_evidence: 'irreversible loss of very important information or evidence',
  flight_risk: 'real grounds that the suspect will abscond or identification will become impossible',
};

export interface NotifiedNcb {
  id: string;
  name: string;
  dutyEmail: string | null;
  countryCode: string;
  side: 'requesting' | 'requested';
}

export interface ContactSummary {
  id: string;
  requestingCountry: string;
  requestedCountry: string;
  grounds: Ground[];
  caseReference: string;
  requesterName: string;
  openedAt: number;
}

export async function newNotifications(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: { contact: ContactSummary; ncbs: NotifiedNcb[]; actor: LogEvent['actor'] },
): Promise<{ notificationIds: string[]; statements: Statement[]; events: LogEvent[] }> {
  const { contact } = input;
  const statements: Statement[] = [];
  const events: LogEvent[] = [];
  const notificationIds: string[] = [];
  const minutes = Math.round(services.config.ncbEscalationMs / 60_000);
  for (const ncb of input.ncbs) {
    const id = crypto.randomUUID();
    notificationIds.push(id);
    statements.push(
      services.database.db.insert(ncbNotifications).values({
        id,
        contactId: contact.id,
        agencyId: ncb.id,
        countryCode: ncb.countryCode,
        side: ncb.side,
        createdAt: contact.openedAt,
      }),
    );
    events.push({
      type: 'ncb.notified',
      actor: input.actor,
      subject: { urgentContactId: contact.id, notificationId: id, agencyId: ncb.id },
      countries: [ncb.countryCode],
      details: { side: ncb.side, grounds: contact.grounds, channels: ncb.dutyEmail ? ['inbox', 'email', 'webhook'] : ['inbox', 'webhook'] },
    });
    // The e-mail names the grounds, as the law requires the NCB be told them; the narrative stays behind the login.
    if (ncb.dutyEmail) {
      statements.push(
        emailStatement(services, {
          to: ncb.dutyEmail,
          subject: `[Exigent] Urgent contact ${contact.requestingCountry}→${contact.requestedCountry} (${contact.caseReference}): acknowledge within ${minutes} min`,
          text: [
            `${ncb.name}: an investigator has opened a direct urgent contact and your NCB must be informed.`,
            '',
            `Requesting country: ${contact.requestingCountry}   Requested country: ${contact.requestedCountry}`,
            `Case reference: ${contact.caseReference}`,
            `Opened by: ${contact.requesterName} at ${new Date(contact.openedAt).toISOString()}`,
            `Grounds: ${contact.grounds.map((g) => GROUND_LABELS[g]).join('; ')}`,
            '',
            `Acknowledge in Exigent within ${minutes} minutes, or the notification escalates: ${services.config.origin}/ncb`,
          ].join('\n'),
        }),
      );
    }
    statements.push(
      ...(await webhookStatements(services, {
        agencyIds: [ncb.id],
        event: {
          type: 'urgent_contact.opened',
          data: {
            notificationId: id,
            urgentContactId: contact.id,
            side: ncb.side,
            requestingCountry: contact.requestingCountry,
            requestedCountry: contact.requestedCountry,
            caseReference: contact.caseReference,
            grounds: contact.grounds,
            openedAt: new Date(contact.openedAt).toISOString(),
          },
        },
      })),
    );
  }
  return { notificationIds, statements, events };
}
