/**
 * @module E-mail through an HTTP mail API (Resend's `POST /emails` JSON; Postmark, SES and others offer the same
 * with a different body): the outbox's way out on Workers, which do not open SMTP sockets. The outbox message id
 * is the idempotency key, so a delivery retried after a lost answer is not sent twice.
 */
import type { Config } from '../config/loadConfig';
import type { SendMail } from './transports';

/** A mail API that hangs must not hold a delivery pass. */
const MAIL_API_TIMEOUT_MS = 30_000;

/** Undefined when no mail API is configured (e-mails then wait in the outbox). */
export function httpMailer(config: Pick<Config, 'mailApiUrl' | 'mailApiToken' | 'origin'>): SendMail | undefined {
  const { mailApiUrl, mailApiToken } = config;
  if (!mailApiUrl || !mailApiToken) return undefined;
  const host = new URL(config.origin).hostname;
  return async (mail) => {
    const response = await fetch(mailApiUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${mailApiToken}`, 'content-type': 'application/json', 'idempotency-key': mail.messageId },
      body: JSON.stringify({ from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text, headers: { 'Message-ID': `<${mail.messageId}@${host}>` } }),
      redirect: 'manual',
      signal: AbortSignal.timeout(MAIL_API_TIMEOUT_MS),
    });
    const answer = await response.text();
    if (!response.ok) throw new Error(`mail API answered ${response.status}: ${answer.slice(0, 200)}`);
  };
}
