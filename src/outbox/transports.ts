/**
 * @module The outbox's two ways out — e-mail through a runtime's mail sender and an HTTP POST for webhooks — behind a
 * narrow interface, so the delivery worker holds the retry rules and tests can drive it against real local servers.
 * The POST is fetch unless the runtime brings its own: Node's checks the addresses a host resolves to and connects
 * to the one it checked (runtime/node/vettedWebhookPost.ts). Workers have no DNS API, and Cloudflare's egress does
 * not reach the operator's private networks, so there the URL checks at registration and delivery stand alone.
 */

export interface OutboundMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export type SendMail = (mail: OutboundMail) => Promise<void>;

/** Sends a webhook and answers the receiver's status; a redirect is answered, never followed. */
export type PostWebhook = (url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;

export interface OutboxTransports {
  /** Absent when no SMTP server is configured: e-mails then wait in the outbox. */
  sendMail?: SendMail;
  post: PostWebhook;
}

/**
 * @param options.sendMail The runtime's mail sender (SMTP on Node, see runtime/node/smtpMailer); omit it when none
 * is configured.
 * @param options.post The runtime's webhook POST; fetch when omitted.
 * @example
 * const transports = createOutboxTransports({ sendMail: smtpMailer('smtp://mail.example:587') });
 */
export function createOutboxTransports(options: { sendMail?: SendMail; post?: PostWebhook } = {}): OutboxTransports {
  return {
    ...(options.sendMail && { sendMail: options.sendMail }),
    post: options.post ?? fetchPost,
  };
}

const fetchPost: PostWebhook = async (url, init) => {
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
};
