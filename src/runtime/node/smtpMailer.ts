/** @module The Node runtime's mail sender (SMTP through nodemailer) and the outbox transports: it, and the vetted webhook POST. */
import nodemailer from 'nodemailer';
import type { Config } from '../../config/loadConfig';
import { httpMailer } from '../../outbox/httpMailer';
import { createOutboxTransports, type OutboxTransports, type SendMail } from '../../outbox/transports';
import { vettedWebhookPost, type ResolveHost } from './vettedWebhookPost';

/** A stuck mail server must not hold a delivery pass for nodemailer's default of minutes. */
const SMTP_TIMEOUT_MS = 30_000;

/**
 * @example
 * const sendMail = smtpMailer('smtp://user:pass@mail.example:587');
 */
export function smtpMailer(smtpUrl: string): SendMail {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return async (mail) => {
    await transport.sendMail(mail);
  };
}

/**
 * The outbox transports on Node: SMTP when `smtpUrl` is configured, else the HTTP mail API when that is (the way
 * out on Workers, available here too); otherwise e-mails wait in the outbox. Webhooks go only to hosts whose every
 * address is allowed, connecting to the address checked.
 * @param options.resolveHost The system resolver unless a test brings its own.
 */
export function nodeOutboxTransports(
  config: Pick<Config, 'smtpUrl' | 'mailApiUrl' | 'mailApiToken' | 'origin' | 'webhookAllowPrivate'>,
  options: { resolveHost?: ResolveHost } = {},
): OutboxTransports {
  const sendMail = config.smtpUrl !== undefined ? smtpMailer(config.smtpUrl) : httpMailer(config);
  const post = vettedWebhookPost({ allowPrivate: config.webhookAllowPrivate, ...options });
  return createOutboxTransports(sendMail ? { sendMail, post } : { post });
}
