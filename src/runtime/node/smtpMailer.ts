/** @module The Node runtime's mail sender: SMTP through nodemailer, and the outbox transports that use it. */
import nodemailer from 'nodemailer';
import type { Config } from '../../config/loadConfig';
import { httpMailer } from '../../outbox/httpMailer';
import { createOutboxTransports, type OutboxTransports, type SendMail } from '../../outbox/transports';

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
 * out on Workers, available here too); otherwise e-mails wait in the outbox.
 */
export function nodeOutboxTransports(config: Pick<Config, 'smtpUrl' | 'mailApiUrl' | 'mailApiToken' | 'origin'>): OutboxTransports {
  const sendMail = config.smtpUrl !== undefined ? smtpMailer(config.smtpUrl) : httpMailer(config);
  return createOutboxTransports(sendMail ? { sendMail } : {});
}
