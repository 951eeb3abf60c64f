/** @module Comparison of secrets whose running time does not depend on where they differ. */
const encoder = new TextEncoder();

export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? encoder.encode(a) : a;
  const y = typeof b === 'string' ? encoder.encode(b) : b;
  // Lengths of our secrets are public (fixed-size hashes), so an early exit on length leaks nothing.
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] as number) ^ (y[i] as number);
  return diff === 0;
}
