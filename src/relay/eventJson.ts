/**
 * @module The wire text of hub events pushed to device streams. An envelope event carries the whole envelope
 * (2–3 KiB for a short message); the relay already holds it as JSON text (as received, as stored), so that text
 * is remembered per envelope object and spliced in instead of serialising the envelope again for every device.
 */
import type { HubEvent } from './deliveryHub';
import type { EnvelopeV1 } from './envelopeFormat';

const envelopeTexts = new WeakMap<EnvelopeV1, string>();

/** Records that `text` is exactly `JSON.stringify(envelope)`. */
export function rememberEnvelopeJson(envelope: EnvelopeV1, text: string): void {
  envelopeTexts.set(envelope, text);
}

/** `JSON.stringify(event)`, reusing a remembered envelope text. */
export function hubEventJson(event: HubEvent): string {
  if (event.type !== 'envelope') return JSON.stringify(event);
  const { envelope, ...rest } = event;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"envelope":${envelopeTexts.get(envelope) ?? JSON.stringify(envelope)}}`;
}
