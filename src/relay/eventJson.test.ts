// The spliced wire text must be exactly what JSON.stringify would have produced, with or without a remembered text.
import { describe, expect, it } from 'vitest';
import type { HubEvent } from './deliveryHub';
import type { EnvelopeV1 } from './envelopeFormat';
import { hubEventJson, rememberEnvelopeJson } from './eventJson';

const envelope: EnvelopeV1 = {
  v: 1,
  conversationId: 'c-1',
  messageId: 'AAAAAAAAAAAAAAAAAAAAAA',
  senderDeviceId: 'd-1',
  sentAt: 1_700_000_000_000,
  nonce: 'n'.repeat(32),
  ciphertext: 'c'.repeat(100),
  keys: [{ deviceId: 'd-2', wrapped: 'w'.repeat(64) }],
  signature: 's'.repeat(86),
};
const event = (e: EnvelopeV1): HubEvent => ({ type: 'envelope', seq: 7, messageId: e.messageId, conversationId: e.conversationId, senderUserId: 'u "1"', receivedAt: 5, envelope: e });

describe('hubEventJson', () => {
  it('equals JSON.stringify for an envelope event whose text was remembered', () => {
    const copy = structuredClone(envelope);
    rememberEnvelopeJson(copy, JSON.stringify(copy));
    expect(hubEventJson(event(copy))).toBe(JSON.stringify(event(copy)));
    expect(JSON.parse(hubEventJson(event(copy)))).toEqual(event(copy));
  });

  it('uses the remembered text rather than serialising the envelope again', () => {
    const copy = structuredClone(envelope);
    rememberEnvelopeJson(copy, JSON.stringify({ ...copy, ciphertext: 'remembered' }));
    expect(JSON.parse(hubEventJson(event(copy))).envelope.ciphertext).toBe('remembered');
  });

  it('serialises envelopes it holds no text for, and every other event, as JSON.stringify does', () => {
    expect(hubEventJson(event(structuredClone(envelope)))).toBe(JSON.stringify(event(envelope)));
    const receipt: HubEvent = { type: 'receipt', messageId: 'm', deviceId: 'd', deliveredAt: 1 };
    expect(hubEventJson(receipt)).toBe(JSON.stringify(receipt));
  });
});
