/** @module Why an envelope, its content or an attachment was refused: one typed error callers can branch on. */

/** Every reason a receiving device refuses an envelope; UIs and metrics switch on these, so they are stable. */
export type EnvelopeRejection =
  | 'malformed'
  | 'unsupported_version'
  | 'wrong_conversation'
  | 'bad_signature'
  | 'unknown_sender'
  | 'revoked_sender'
  | 'not_a_recipient'
  | 'decrypt_failed'
  | 'duplicate';

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly reason: EnvelopeRejection;
  constructor(reason: EnvelopeRejection, message: string) {
    super(message);
    this.reason = reason;
  }
}
