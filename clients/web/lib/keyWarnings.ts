/** @module Words for key changes: what the investigator should do when a colleague's devices change. */
import type { KeyChange } from '../../sdk/crypto';

export function describeKeyChange(change: KeyChange, name: string): string {
  const parts: string[] = [];
  if (change.added.length) parts.push(`${change.added.length} new device${change.added.length > 1 ? 's' : ''}`);
  if (change.removed.length) parts.push(`${change.removed.length} device${change.removed.length > 1 ? 's' : ''} removed`);
  return `${name}'s devices changed (${parts.join(', ')}). Compare safety numbers again — by phone or in person — before sharing anything sensitive.`;
}
