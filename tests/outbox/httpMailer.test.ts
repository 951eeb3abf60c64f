// The HTTP mail API sender (the outbox's way out on Workers, and on Node without SMTP), against a real HTTP
// server on loopback: what it sends, that a refusal is an error the outbox retries, and that it is off unless set.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig';
import { httpMailer } from '../../src/outbox/httpMailer';

let status = 200;
const received: Array<{ headers: IncomingMessage['headers']; body: unknown }> = [];
const api = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body: JSON.parse(text) });
    res.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '{"id":"m1"}' : '{"message":"domain not verified"}');
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/emails`;
});
afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

const mail = { messageId: 'outbox-42', from: 'Exigent <exigent@police.example>', to: 'duty@ncb.example', subject: 'Urgent contact', text: 'Acknowledge it now' };

describe('httpMailer', () => {
  it("posts Resend's JSON with the bearer token, the outbox id as idempotency key and a Message-ID", async () => {
    const send = httpMailer({ mailApiUrl: url, mailApiToken: 're_test_token', origin: 'https://exigent.example.org' })!;
    await send(mail);
    const [request] = received.splice(0);
    expect(request!.headers.authorization).toBe('Bearer re_test_token');
    expect(request!.headers['idempotency-key']).toBe('outbox-42');
    expect(request!.body).toEqual({ from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text, headers: { 'Message-ID': '<outbox-42@exigent.example.org>' } });
  });

  it('turns a refusal into an error naming the status, so the outbox retries', async () => {
    status = 422;
    const send = httpMailer({ mailApiUrl: url, mailApiToken: 't', origin: 'https://exigent.example.org' })!;
    await expect(send(mail)).rejects.toThrow(/mail API answered 422: .*domain not verified/);
    status = 200;
  });

  it('is off without a URL, and a URL without a token is a configuration error', () => {
    expect(httpMailer({ mailApiUrl: undefined, mailApiToken: undefined, origin: 'https://x.example' })).toBeUndefined();
    expect(() => loadConfig({ EXIGENT_MAIL_API_URL: 'https://api.resend.com/emails' })).toThrow(/EXIGENT_MAIL_API_TOKEN: required/);
  });
});
