/**
 * @module Writing notifications into the outbox: callers put these statements in the same atomic batch as the
 * event they announce, so an event is never committed without its notifications, nor a notification without it.
 */
import { and, inArray, isNull } from 'drizzle-orm';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { outbox, webhookEndpoints } from './tables';

/** The event a webhook announces; `data` must be JSON. */
export interface WebhookEvent {
  type: string;
  data: Record<string, unknown>;
}

const newMessageId = () => `msg_${crypto.randomUUID()}`;

/**
 * An e-mail to one address, due immediately.
 * @example
 * await database.batch([...eventStatements, emailStatement(services, { to: agency.dutyEmail, subject, text })]);
 */
export function emailStatement(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  input: { to: string; subject: string; text: string; id?: string },
): Statement {
  const now = clock.now();
  return database.db.insert(outbox).values({
    id: input.id ?? newMessageId(),
    kind: 'email',
    target: input.to,
    payload: { subject: input.subject, text: input.text },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });
}

/**
 * One webhook per active endpoint of the given agencies (none when they have no endpoint). The payload is the
 * Standard Webhooks JSON body, fixed now so every retry sends the same bytes.
 */
export async function webhookStatements(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  input: { agencyIds: string[]; event: WebhookEvent },
): Promise<Statement[]> {
  if (input.agencyIds.length === 0) return [];
  const endpoints = await database.db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.agencyId, input.agencyIds), isNull(webhookEndpoints.disabledAt)));
  const now = clock.now();
  const payload = { type: input.event.type, timestamp: new Date(now).toISOString(), data: input.event.data };
  return endpoints.map((endpoint) =>
    database.db.insert(outbox).values({
      id: newMessageId(),
      kind: 'webhook',
      target: endpoint.id,
      payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    }),
  );
}
