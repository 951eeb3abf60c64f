/**
 * @module Tells a configuration mistake from tampering before `verify-log --db` checks signatures: when no stored
 * checkpoint names the configured log (neither its origin line nor a signature by that key name), the CLI was set up
 * with another origin than the server's, and every signature would fail for that reason alone.
 */
import { splitNote } from '../../../src/audit-log/tlog';

/**
 * The log names the checkpoints carry instead, when not one of them belongs to `configured`; undefined when at least
 * one does (or there are none), so that a signature failing under the right name is still reported as tampering.
 *
 * @example
 * const foreign = foreignLogOrigin(checkpoints.map((c) => c.note), config.logOrigin);
 * if (foreign) print(`CONFIGURATION: … signed by log "${foreign.join('", "')}" …`);
 */
export function foreignLogOrigin(notes: readonly string[], configured: string): string[] | undefined {
  const names = new Set<string>();
  for (const note of notes) {
    const origin = note.slice(0, note.indexOf('\n'));
    let signers: string[] = [];
    try {
      signers = splitNote(note).signatures.map((s) => s.name);
    } catch {
      // A malformed note says nothing about the configuration; the self-check reports it.
    }
    if (origin === configured || signers.includes(configured)) return undefined;
    names.add(origin);
  }
  return names.size > 0 ? [...names].sort() : undefined;
}
