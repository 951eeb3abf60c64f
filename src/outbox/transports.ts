/**
 * @module The outbox's two ways out — e-mail through a runtime's mail sender and HTTP POST through fetch — behind a
 * narrow interface, so the delivery worker holds the retry rules and tests can drive it against real local servers.
 */

export interface OutboundMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export type SendMail = (mail: OutboundMail) => Promise<void>;

export interface OutboxTransports {
  /** Absent when no SMTP server is configured: e-mails then wait in the outbox. */
  sendMail?: SendMail;
  post: (url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;
}

/**
 * @param options.sendMail The runtime's mail sender (SMTP on Node, see runtime/node/smtpMailer); omit it when none
 * is configured.
 * @example
 * const transports = createOutboxTransports({ sendMail: smtpMailer('smtp://mail.example:587') });
 */
export function createOutboxTransports(options: { sendMail?: SendMail } = {}): OutboxTransports {
  return {
    ...(options.sendMail && { sendMail: options.sendMail }),
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
