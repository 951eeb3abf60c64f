/** @module Local receivers on 127.0.0.1 for what Exigent sends out: an SMTP sink (smtp-server) and a webhook receiver. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook } from '../../src/outbox/standardWebhooks';

export interface SentMail {
  to: string[];
  raw: string;
}

export async function startSmtpSink() {
  const mails: SentMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  // A sender killed mid-session resets the connection; a mail server shrugs that off.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedHook {
  id: string;
  body: Record<string, unknown>;
  verified: boolean;
}

/** Verifies every delivery with the endpoint's secret, as an NCB's case-management system would. */
export async function startWebhookSink() {
  const hooks: ReceivedHook[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const headers = { id: String(req.headers['webhook-id']), timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']) };
      const verified = await verifyWebhook(secret, headers, body, { now: Number(headers.timestamp) * 1000 });
      hooks.push({ id: headers.id, body: JSON.parse(body) as Record<string, unknown>, verified });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/exigent`,
    hooks,
    useSecret: (s: string) => (secret = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
