/**
 * @module The outbox's two ways out — SMTP through nodemailer and HTTP POST through fetch — behind a narrow
 * interface, so the delivery worker holds the retry rules and tests can drive it against real local servers.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config/loadConfig';

export interface OutboxTransports {
  /** Absent when no SMTP server is configured: e-mails then wait in the outbox. */
  sendMail?: (mail: { messageId: string; from: string; to: string; subject: string; text: string }) => Promise<void>;
  post: (url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;
}

/** A stuck mail server must not hold a delivery pass for nodemailer's default of minutes. */
const SMTP_TIMEOUT_MS = 30_000;

export function createOutboxTransports(config: Pick<Config, 'smtpUrl'>): OutboxTransports {
  return {
    ...(config.smtpUrl !== undefined && { sendMail: smtpSender(config.smtpUrl) }),
    async post(url, init) {
      const response = await fetch(url, {
        method: 'POST',
        headers: init.headers,
        body: init.body,
        // A redirect is a failure to report, not something to follow with a signed body to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(init.timeoutMs),
      });
      // Only the status matters; releasing the body frees the connection.
      await response.body?.cancel();
      return { status: response.status };
    },
  };
}

function smtpSender(smtpUrl: string): NonNullable<OutboxTransports['sendMail']> {
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
