/** @module The accountability events recorded as log leaves, and their canonical (RFC 8785 JCS) encoding. */
import canonicalize from 'canonicalize';
import type { Role } from '../directory/tables';
import { Invalid } from '../errors';

/**
 * The most UTF-8 bytes a leaf's canonical JSON may have: C2SP tlog-tiles entry bundles prefix each entry with a
 * big-endian uint16 length (https://c2sp.org/tlog-tiles#log-entries), so a longer leaf could never be served.
 */
export const MAX_LEAF_BYTES = 65_535;
const encoder = new TextEncoder();

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

/**
 * Canonical JSON of the leaf: the exact bytes that are hashed, stored and exported. Refuses (422, before anything is
 * written) a leaf over {@link MAX_LEAF_BYTES}, naming its largest string by path, e.g. "details.justification.narrative".
 */
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
  // Ensure the leaf fits an entry bundle's uint16 length prefix.
  const bytes = encoder.encode(text).length;
  if (bytes > MAX_LEAF_BYTES) {
    const largest = largestString(leaf);
    throw new Invalid(
      `The ${event.type} log entry would be ${bytes} bytes, more than the ${MAX_LEAF_BYTES} a log entry may have; its largest field is ${largest.path} (${largest.bytes} bytes)`,
      largest.path,
    );
  }
  return { leaf, text };
}

/** The longest string (in UTF-8 bytes) anywhere in `value`, with its dotted path ("details.justification.narrative"). */
export function largestString(value: unknown, path = ''): { path: string; bytes: number } {
  if (typeof value === 'string') return { path, bytes: encoder.encode(value).length };
  let largest = { path, bytes: 0 };
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = largestString(child, path ? `${path}.${key}` : key);
      if (found.bytes > largest.bytes) largest = found;
    }
  }
  return largest;
}
