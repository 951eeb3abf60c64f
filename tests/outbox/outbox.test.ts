// The outbox against real parts on 127.0.0.1: a SQLite file, an SMTP server and a webhook receiver that checks signatures.
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/loadConfig';
import { agencies, countries } from '../../src/directory/tables';
import { Invalid, NotFound } from '../../src/errors';
import { deliverDueOutbox } from '../../src/outbox/deliverOutbox';
import { emailStatement, webhookStatements } from '../../src/outbox/enqueue';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../src/outbox/standardWebhooks';
import { outbox } from '../../src/outbox/tables';
import type { OutboxTransports } from '../../src/outbox/transports';
import { nodeOutboxTransports } from '../../src/runtime/node/smtpMailer';
import { createWebhookEndpoint, disableWebhookEndpoint, listWebhookEndpoints } from '../../src/outbox/webhookEndpoints';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/storage/sqliteDatabase';

const NCB = 'ncb-ua';
const POLICE = 'police-ua';

interface ReceivedMail {
  raw: string;
  from: string | undefined;
  to: string[];
}
interface ReceivedWebhook {
  id: string;
  timestamp: string;
  userAgent: string | undefined;
  body: string;
  verified: boolean;
}

let smtp: SMTPServer;
let smtpUrl: string;
let receiver: Server;
let hookUrl: string;
const mails: ReceivedMail[] = [];
const webhooks: ReceivedWebhook[] = [];
/** The receiver answers 500 to this many requests before it starts accepting. */
let failNext = 0;
/** The secret the receiver verifies with (the one createWebhookEndpoint returned). */
let receiverSecret = '';

let database: SqliteDatabase;
let clock: ReturnType<typeof manualClock>;

const logger = pino({ level: 'silent' });
// The receivers here listen on 127.0.0.1, which webhooks may reach only when the operator allows private targets.
const services = (env: Record<string, string> = {}) => ({
  database,
  clock,
  logger,
  config: loadConfig({ EXIGENT_DB: ':memory:', EXIGENT_OUTBOX_MAX_ATTEMPTS: '3', EXIGENT_SMTP_FROM: 'Exigent <noreply@exigent.test>', EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'true', ...env }),
});
const withSmtp = () => services({ EXIGENT_SMTP_URL: smtpUrl });
const mailSettings = { mailApiUrl: undefined, mailApiToken: undefined, origin: 'http://localhost:8787', webhookAllowPrivate: true };
const transportsWithSmtp = (): OutboxTransports => nodeOutboxTransports({ ...mailSettings, smtpUrl });
const transportsWithoutSmtp = (): OutboxTransports => nodeOutboxTransports({ ...mailSettings, smtpUrl: undefined });

const rowOf = async (id: string) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;
const allRows = () => database.db.select().from(outbox);

async function enqueueWebhook(type = 'ncb.notification.created', agencyIds = [NCB]): Promise<string[]> {
  const statements = await webhookStatements(services(), { agencyIds, event: { type, data: { contactId: 'c-1' } } });
  await database.batch(statements);
  return (await allRows()).filter((r) => r.kind === 'webhook').map((r) => r.id);
}

async function endpointFor(url = hookUrl) {
  const endpoint = await createWebhookEndpoint(services(), { agencyId: NCB, url });
  receiverSecret = endpoint.secret;
  return endpoint;
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
        mails.push({ raw, from, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const headers = {
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
      };
      const verified = req.headers['content-type'] === 'application/json' && (await verifyWebhook(receiverSecret, headers, body, { now: clock.now() }));
      webhooks.push({ id: headers.id, timestamp: headers.timestamp, userAgent: req.headers['user-agent'], body, verified });
      const fail = failNext > 0;
      if (fail) failNext--;
      res.writeHead(fail ? 500 : verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/exigent`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await new Promise<void>((resolve) => smtp.close(resolve));
});

// A fresh database per test: a delivery pass takes every due row, so tests must not see each other's.
beforeEach(async () => {
  database = openSqliteDatabase({ path: join(mkdtempSync(join(tmpdir(), 'exigent-outbox-')), 'db.sqlite') });
  clock = manualClock();
  mails.length = 0;
  webhooks.length = 0;
  failNext = 0;
  const createdAt = clock.now();
  await database.batch([
    database.db.insert(countries).values({ code: 'UA', name: 'Ukraine' }),
    database.db.insert(agencies).values({ id: NCB, name: 'NCB Kyiv', countryCode: 'UA', kind: 'ncb', dutyEmail: 'duty@ncb.ua', createdAt }),
    database.db.insert(agencies).values({ id: POLICE, name: 'Police Kyiv', countryCode: 'UA', kind: 'police', createdAt }),
  ]);
});
afterEach(() => database.close());

describe('e-mail', () => {
  it('is delivered over SMTP once, with a Message-ID derived from the stable row id', async () => {
    await database.batch([emailStatement(services(), { id: 'msg_duty-1', to: 'duty@ncb.ua', subject: 'Urgent contact', text: 'Please acknowledge.' })]);
    expect(await rowOf('msg_duty-1')).toMatchObject({ kind: 'email', target: 'duty@ncb.ua', status: 'pending', attempts: 0, nextAttemptAt: clock.now() });

    expect(await deliverDueOutbox(withSmtp(), transportsWithSmtp())).toEqual({ delivered: 1, retried: 0, dead: 0, skipped: 0 });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.raw).toMatch(/^Message-ID: <msg_duty-1@exigent>\r?$/im);
    expect(mails[0]!.raw).toMatch(/^Subject: Urgent contact\r?$/im);
    expect(mails[0]!.raw).toContain('Please acknowledge.');
    expect(mails[0]).toMatchObject({ from: 'noreply@exigent.test', to: ['duty@ncb.ua'] });
    expect(await rowOf('msg_duty-1')).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: clock.now() });

    expect(await deliverDueOutbox(withSmtp(), transportsWithSmtp())).toEqual({ delivered: 0, retried: 0, dead: 0, skipped: 0 });
    expect(mails).toHaveLength(1);
  });

  it('waits, untouched, while no SMTP server is configured — without holding up webhooks — and goes once one is', async () => {
    await database.batch([emailStatement(services(), { to: 'duty@ncb.ua', subject: 'Waiting', text: 'Body' })]);
    const [email] = await allRows();
    await endpointFor();
    await enqueueWebhook();

    // Pages of one: the e-mail is older, yet the webhook still goes.
    expect(await deliverDueOutbox(services(), transportsWithoutSmtp(), { pageSize: 1 })).toEqual({ delivered: 1, retried: 0, dead: 0, skipped: 1 });
    expect(webhooks).toHaveLength(1);
    expect(await rowOf(email!.id)).toEqual(email);

    expect(await deliverDueOutbox(withSmtp(), transportsWithSmtp())).toMatchObject({ delivered: 1, skipped: 0 });
    expect(mails).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('go to every active endpoint of the named agencies only, with the Standard Webhooks body', async () => {
    const first = await endpointFor();
    await createWebhookEndpoint(services(), { agencyId: POLICE, url: hookUrl });
    const second = await createWebhookEndpoint(services(), { agencyId: NCB, url: `${hookUrl}?second` });
    await disableWebhookEndpoint(services(), second.id);

    const statements = await webhookStatements(services(), { agencyIds: [NCB], event: { type: 'ncb.notification.created', data: { contactId: 'c-1' } } });
    expect(statements).toHaveLength(1);
    await database.batch(statements);
    const [row] = await allRows();
    expect(row).toMatchObject({ kind: 'webhook', target: first.id, status: 'pending', attempts: 0 });
    expect(row!.id).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(row!.payload).toEqual({ type: 'ncb.notification.created', timestamp: new Date(clock.now()).toISOString(), data: { contactId: 'c-1' } });
    expect(await webhookStatements(services(), { agencyIds: [], event: { type: 'x', data: {} } })).toEqual([]);
  });

  it('are retried with backoff under the same webhook-id until the receiver accepts', async () => {
    await endpointFor();
    const [id] = await enqueueWebhook();
    failNext = 2;

    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toEqual({ delivered: 0, retried: 1, dead: 0, skipped: 0 });
    let row = await rowOf(id!);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    // 30 s ± 20 %.
    expect(row.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(24_000);
    expect(row.nextAttemptAt - clock.now()).toBeLessThanOrEqual(36_000);

    // Not yet due: nothing is sent.
    clock.advance(23_000);
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toEqual({ delivered: 0, retried: 0, dead: 0, skipped: 0 });
    expect(webhooks).toHaveLength(1);

    clock.advance(13_000);
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toMatchObject({ retried: 1 });
    row = await rowOf(id!);
    // 60 s ± 20 % the second time.
    expect(row.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(48_000);
    expect(row.nextAttemptAt - clock.now()).toBeLessThanOrEqual(72_000);

    clock.advance(72_000);
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toMatchObject({ delivered: 1 });
    expect(await rowOf(id!)).toMatchObject({ status: 'delivered', attempts: 3, deliveredAt: clock.now() });

    expect(webhooks.map((w) => w.id)).toEqual([id, id, id]);
    expect(webhooks.every((w) => w.verified && w.userAgent === 'Exigent-Webhooks/1')).toBe(true);
    // Same body bytes each time; the timestamp is the attempt's.
    expect(new Set(webhooks.map((w) => w.body)).size).toBe(1);
    expect(webhooks.at(-1)!.timestamp).toBe(String(Math.floor(clock.now() / 1000)));
  });

  it('are dead-lettered after outboxMaxAttempts failures, and network errors count as failures', async () => {
    await endpointFor();
    const [refusedId] = await enqueueWebhook();
    // A port nothing listens on: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await createWebhookEndpoint(services(), { agencyId: POLICE, url: `http://127.0.0.1:${closedPort}/` });
    await database.batch(await webhookStatements(services(), { agencyIds: [POLICE], event: { type: 't', data: {} } }));
    const unreachableId = (await allRows()).find((r) => r.target === unreachable.id)!.id;
    failNext = 99;

    const reports = [];
    for (let i = 0; i < 4; i++) {
      reports.push(await deliverDueOutbox(services(), transportsWithSmtp()));
      clock.advance(3_600_000 * 1.2);
    }
    expect(reports).toEqual([
      { delivered: 0, retried: 2, dead: 0, skipped: 0 },
      { delivered: 0, retried: 2, dead: 0, skipped: 0 },
      { delivered: 0, retried: 0, dead: 2, skipped: 0 },
      { delivered: 0, retried: 0, dead: 0, skipped: 0 },
    ]);
    expect(await rowOf(refusedId!)).toMatchObject({ status: 'dead', attempts: 3, lastError: 'HTTP 500', deliveredAt: null });
    const dead = await rowOf(unreachableId);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead.lastError).toMatch(/ECONNREFUSED/);
    expect(webhooks).toHaveLength(3);
  });

  it('to a disabled endpoint are dead-lettered without being sent', async () => {
    const endpoint = await endpointFor();
    const [id] = await enqueueWebhook();
    await disableWebhookEndpoint(services(), endpoint.id);

    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toEqual({ delivered: 0, retried: 0, dead: 1, skipped: 0 });
    expect(await rowOf(id!)).toMatchObject({ status: 'dead', attempts: 0, lastError: 'webhook endpoint is disabled' });
    expect(webhooks).toHaveLength(0);
  });

  it('all go out in one pass however many are due, page after page, and a pass cut short by its budget is continued oldest first', async () => {
    await endpointFor();
    for (let i = 0; i < 120; i++) {
      await enqueueWebhook(`backlog.${i}`);
      clock.advance(1);
    }
    const byAge = (await allRows()).sort((a, b) => a.createdAt - b.createdAt).map((r) => r.id);

    expect(await deliverDueOutbox(services(), transportsWithSmtp(), { budget: { rows: 50 } })).toMatchObject({ delivered: 50 });
    expect(webhooks.map((w) => w.id).sort()).toEqual(byAge.slice(0, 50).sort());
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toMatchObject({ delivered: 70, retried: 0, dead: 0 });
    expect(webhooks.map((w) => w.id).sort()).toEqual([...byAge].sort());
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toMatchObject({ delivered: 0 });
  });

  it('are sent once each when delivery passes overlap', async () => {
    await endpointFor();
    for (let i = 0; i < 5; i++) await enqueueWebhook(`event.${i}`);
    await database.batch([emailStatement(services(), { to: 'duty@ncb.ua', subject: 's', text: 't' })]);

    const reports = await Promise.all([
      deliverDueOutbox(withSmtp(), transportsWithSmtp()),
      deliverDueOutbox(withSmtp(), transportsWithSmtp()),
      deliverDueOutbox(withSmtp(), transportsWithSmtp()),
    ]);
    expect(reports.reduce((sum, r) => sum + r.delivered, 0)).toBe(6);
    expect(webhooks).toHaveLength(5);
    expect(new Set(webhooks.map((w) => w.id)).size).toBe(5);
    expect(mails).toHaveLength(1);
    expect((await allRows()).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });
});

describe('webhooks to internal addresses', () => {
  const strict = () => services({ EXIGENT_WEBHOOK_ALLOW_PRIVATE: 'false' });
  /** Node's transports with a resolver that knows names the real DNS does not, counting its lookups. */
  const resolving = (names: Record<string, string[]>, webhookAllowPrivate: boolean) => {
    const lookups: string[] = [];
    const transports = nodeOutboxTransports(
      { ...mailSettings, smtpUrl: undefined, webhookAllowPrivate },
      {
        resolveHost: async (host) => {
          lookups.push(host);
          return (names[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        },
      },
    );
    return { transports, lookups };
  };
  const namedHookUrl = () => hookUrl.replace('127.0.0.1', 'hooks.ncb.test');

  it('are refused at registration, naming the reason, unless the operator allows private targets', async () => {
    for (const [url, reason] of [
      [hookUrl, "The webhook URL's host 127.0.0.1 is a loopback address: the server does not call into its own network unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true"],
      ['http://localhost:8080/hook', 'host localhost is a loopback address'],
      ['http://[::ffff:10.0.0.1]/hook', 'private-network address'],
      ['http://3232235786/hook', 'host 192.168.1.10 is a private-network address'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local address: webhooks are never sent there'],
      ['http://metadata.google.internal/', 'cloud metadata service'],
    ] as const) {
      const refused = createWebhookEndpoint(strict(), { agencyId: NCB, url });
      await expect(refused).rejects.toBeInstanceOf(Invalid);
      await expect(refused).rejects.toMatchObject({ field: 'url', message: expect.stringContaining(reason) });
    }
    await expect(createWebhookEndpoint(services(), { agencyId: NCB, url: 'http://169.254.169.254/' })).rejects.toMatchObject({ message: expect.stringContaining('never sent there') });
    expect(await listWebhookEndpoints(services())).toEqual([]);
    expect(await createWebhookEndpoint(services(), { agencyId: NCB, url: hookUrl })).toMatchObject({ url: hookUrl });
  });

  it('are dead-lettered unsent when the endpoint’s address is no longer allowed', async () => {
    await endpointFor();
    const [id] = await enqueueWebhook();
    expect(await deliverDueOutbox(strict(), transportsWithSmtp())).toMatchObject({ delivered: 0, dead: 1 });
    expect(await rowOf(id!)).toMatchObject({ status: 'dead', attempts: 0, lastError: expect.stringContaining("host 127.0.0.1 is a loopback address") });
    expect(webhooks).toHaveLength(0);
  });

  it('are refused at delivery when the host name resolves to a forbidden address, and retried', async () => {
    await endpointFor(namedHookUrl());
    const [id] = await enqueueWebhook();
    const { transports, lookups } = resolving({ 'hooks.ncb.test': ['127.0.0.1'] }, false);
    expect(await deliverDueOutbox(strict(), transports)).toMatchObject({ delivered: 0, retried: 1 });
    expect(await rowOf(id!)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'The webhook host hooks.ncb.test resolves to 127.0.0.1, a loopback address: the server does not call into its own network unless EXIGENT_WEBHOOK_ALLOW_PRIVATE=true',
    });
    expect(lookups).toEqual(['hooks.ncb.test']);
    expect(webhooks).toHaveLength(0);
  });

  it('are refused when any address of the host is forbidden, so a second answer cannot slip through', async () => {
    await endpointFor(namedHookUrl());
    const [id] = await enqueueWebhook();
    const { transports } = resolving({ 'hooks.ncb.test': ['93.184.216.34', '169.254.169.254'] }, true);
    expect(await deliverDueOutbox(services(), transports)).toMatchObject({ retried: 1 });
    expect((await rowOf(id!)).lastError).toContain('resolves to 169.254.169.254, a link-local address: webhooks are never sent there');
    expect(webhooks).toHaveLength(0);
  });

  it('connect to the very address that was checked: a name only the checking resolver knows is delivered', async () => {
    await endpointFor(namedHookUrl());
    await enqueueWebhook();
    const { transports, lookups } = resolving({ 'hooks.ncb.test': ['127.0.0.1'] }, true);
    expect(await deliverDueOutbox(services(), transports)).toMatchObject({ delivered: 1 });
    expect(lookups).toEqual(['hooks.ncb.test']);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]!.verified).toBe(true);
  });

  it('resolve through the system resolver by default (localhost, when allowed)', async () => {
    await endpointFor(hookUrl.replace('127.0.0.1', 'localhost'));
    await enqueueWebhook();
    expect(await deliverDueOutbox(services(), transportsWithSmtp())).toMatchObject({ delivered: 1 });
    expect(webhooks).toHaveLength(1);
  });
});

describe('Standard Webhooks signatures', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"type":"ncb.notification.created","data":{}}';
  const timestamp = Math.floor(Date.UTC(2026, 0, 1) / 1000);

  it('sign with HMAC-SHA256 over "id.timestamp.body" keyed by the decoded secret', async () => {
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef'))
      .update(`msg_1.${timestamp}.${body}`)
      .digest('base64');
    expect(await signWebhook(secret, 'msg_1', timestamp, body)).toBe(`v1,${expected}`);
    expect(newWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(newWebhookSecret().slice(6), 'base64')).toHaveLength(32);
  });

  it('verify only the right body, secret and a fresh timestamp, accepting any of several signatures', async () => {
    const now = timestamp * 1000;
    const signature = await signWebhook(secret, 'msg_1', timestamp, body);
    const headers = { id: 'msg_1', timestamp: String(timestamp), signature };
    expect(await verifyWebhook(secret, headers, body, { now })).toBe(true);
    expect(await verifyWebhook(secret, { ...headers, signature: `v1,bm90LWl0 ${signature}` }, body, { now })).toBe(true);
    expect(await verifyWebhook(secret, headers, body.replace('{}', '{"x":1}'), { now })).toBe(false);
    expect(await verifyWebhook(newWebhookSecret(), headers, body, { now })).toBe(false);
    expect(await verifyWebhook(secret, { ...headers, id: 'msg_2' }, body, { now })).toBe(false);
    expect(await verifyWebhook(secret, headers, body, { now: now + 10 * 60_000 })).toBe(false);
    const old = timestamp - 600;
    expect(await verifyWebhook(secret, { id: 'msg_1', timestamp: String(old), signature: await signWebhook(secret, 'msg_1', old, body) }, body, { now })).toBe(false);
    expect(await verifyWebhook(secret, { ...headers, timestamp: 'soon' }, body, { now })).toBe(false);
  });
});

describe('webhook endpoint administration', () => {
  it('creates endpoints with a one-time secret, lists them without it, and disables them', async () => {
    const created = await createWebhookEndpoint(services(), { agencyId: NCB, url: hookUrl });
    expect(created).toEqual({ id: expect.any(String), agencyId: NCB, url: hookUrl, secret: expect.stringMatching(/^whsec_/), createdAt: clock.now() });
    const listed = await listWebhookEndpoints(services(), NCB);
    expect(listed).toEqual([{ id: created.id, agencyId: NCB, url: hookUrl, createdAt: clock.now(), disabledAt: null }]);
    expect(await listWebhookEndpoints(services(), POLICE)).toEqual([]);
    expect(await listWebhookEndpoints(services())).toHaveLength(1);

    clock.advance(1000);
    expect(await disableWebhookEndpoint(services(), created.id)).toMatchObject({ disabledAt: clock.now() });
    clock.advance(1000);
    expect(await disableWebhookEndpoint(services(), created.id)).toMatchObject({ disabledAt: clock.now() - 1000 });
  });

  it('refuses bad URLs, unknown agencies and unknown endpoints', async () => {
    for (const url of ['not a url', 'ftp://example.org/hook', 'javascript:alert(1)', 'https://user:pw@example.org/hook']) {
      const refused = createWebhookEndpoint(services(), { agencyId: NCB, url });
      await expect(refused).rejects.toBeInstanceOf(Invalid);
      await expect(refused).rejects.toMatchObject({ field: 'url' });
    }
    await expect(createWebhookEndpoint(services(), { agencyId: 'nope', url: hookUrl })).rejects.toBeInstanceOf(NotFound);
    await expect(disableWebhookEndpoint(services(), 'nope')).rejects.toBeInstanceOf(NotFound);
    expect(await listWebhookEndpoints(services())).toEqual([]);
  });
});
