/** @module The accountability events recorded as log leaves, and their canonical (RFC 8785 JCS) encoding. */
import canonicalize from 'canonicalize';
import type { Role } from '../directory/tables';

export const LOG_EVENT_TYPES = [
  'user.enrolled',
  'user.role_changed',
  'user.disabled',
  'passkey.added',
  'passkey.revoked',
  'device.registered',
  'device.revoked',
  'urgent_contact.opened',
  'urgent_contact.closed',
  'ncb.notified',
  'ncb.acknowledged',
  'ncb.escalated',
  'formal_request.state_changed',
  'compliance.decision',
  'witness.registered',
  'relay.purged',
  'urgent_contact.handling_acknowledged',
  'formal_request.updated',
  'formal_request.overdue',
  'compliance.information_provided',
] as const;
export type LogEventType = (typeof LOG_EVENT_TYPES)[number];

export type LogActor = { userId: string; role: Role } | { system: string };

/** What a domain function hands to the log; the writer adds the version and the timestamp. */
export interface LogEvent {
  type: LogEventType;
  actor: LogActor;
  /** Ids of the records the event is about, e.g. `{ userId }` or `{ urgentContactId }`. */
  subject: Record<string, string>;
  /** ISO 3166-1 alpha-2 codes the event concerns; NCB officers may read entries of their own country. */
  countries?: string[];
  /** Event-specific facts. Never message content: the log is metadata and justifications only. */
  details?: Record<string, unknown>;
}

export interface LogLeaf {
  v: 1;
  type: LogEventType;
  at: string;
  actor: LogActor;
  subject: Record<string, string>;
  countries: string[];
  details: Record<string, unknown>;
}

/** Canonical JSON of the leaf: the exact bytes that are hashed, stored and exported. */
export function encodeLeaf(event: LogEvent, at: number): { leaf: LogLeaf; text: string } {
  const leaf: LogLeaf = {
    v: 1,
    type: event.type,
    at: new Date(at).toISOString(),
    actor: event.actor,
    subject: event.subject,
    countries: [...new Set(event.countries ?? [])].sort(),
    details: event.details ?? {},
  };
  const text = canonicalize(leaf);
  if (text === undefined) throw new Error('log event is not serialisable as JSON');
  return { leaf, text };
}
