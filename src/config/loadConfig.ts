/** @module Reads and validates Exigent's configuration from environment variables, failing fast with a clear message. */
import { z } from 'zod';

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be greater than zero`)
    .default(fallback);

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(1, 'PORT must be between 1 and 65535')
    .max(65535, 'PORT must be between 1 and 65535')
    .default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  EXIGENT_DB: z.string().min(1, 'EXIGENT_DB must not be empty').default('./data/exigent.db'),
  EXIGENT_ORIGIN: z.url({ error: 'EXIGENT_ORIGIN must be a URL such as https://exigent.example.org' }).optional(),
  EXIGENT_RP_ID: z.string().min(1).optional(),
  EXIGENT_RP_NAME: z.string().min(1).default('Exigent'),
  EXIGENT_LOG_KEY: z.string().min(1).optional(),
  EXIGENT_LOG_ORIGIN: z.string().min(1).optional(),
  EXIGENT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EXIGENT_SESSION_IDLE_MINUTES: positiveInt('EXIGENT_SESSION_IDLE_MINUTES', 30),
  // Browsers cap cookie lifetimes at 400 days; a month is already far beyond any sensible session.
  EXIGENT_SESSION_MAX_HOURS: positiveInt('EXIGENT_SESSION_MAX_HOURS', 12).pipe(z.number().max(720, 'EXIGENT_SESSION_MAX_HOURS must be at most 720 (30 days)')),
  EXIGENT_INVITATION_HOURS: positiveInt('EXIGENT_INVITATION_HOURS', 72),
  EXIGENT_AUTH_RATE_LIMIT: positiveInt('EXIGENT_AUTH_RATE_LIMIT', 30),
  EXIGENT_MAX_BODY_KB: positiveInt('EXIGENT_MAX_BODY_KB', 256),
  EXIGENT_CHECKPOINT_SECONDS: positiveInt('EXIGENT_CHECKPOINT_SECONDS', 2),
  EXIGENT_MAX_ENVELOPE_KB: positiveInt('EXIGENT_MAX_ENVELOPE_KB', 64),
  EXIGENT_MAX_ATTACHMENT_MB: positiveInt('EXIGENT_MAX_ATTACHMENT_MB', 10),
  EXIGENT_MAX_BODIES_IN_FLIGHT_MB: positiveInt('EXIGENT_MAX_BODIES_IN_FLIGHT_MB', 64),
  EXIGENT_ATTACHMENT_UPLOADS_PER_HOUR: positiveInt('EXIGENT_ATTACHMENT_UPLOADS_PER_HOUR', 100),
  EXIGENT_ATTACHMENT_MB_PER_HOUR: positiveInt('EXIGENT_ATTACHMENT_MB_PER_HOUR', 250),
  EXIGENT_CHALLENGE_RATE_PER_MINUTE: positiveInt('EXIGENT_CHALLENGE_RATE_PER_MINUTE', 10),
  EXIGENT_RETENTION_DAYS: positiveInt('EXIGENT_RETENTION_DAYS', 30),
  EXIGENT_DEVICE_QUEUE_MAX: positiveInt('EXIGENT_DEVICE_QUEUE_MAX', 10_000),
  EXIGENT_SEND_RATE_PER_MINUTE: positiveInt('EXIGENT_SEND_RATE_PER_MINUTE', 600),
  // A device sends only acknowledgements: 500 sequence numbers (the most one frame may carry) take about 9 KiB.
  EXIGENT_MAX_FRAME_KB: positiveInt('EXIGENT_MAX_FRAME_KB', 16),
  EXIGENT_STREAMS_PER_DEVICE: positiveInt('EXIGENT_STREAMS_PER_DEVICE', 4),
  EXIGENT_STREAMS_PER_SESSION: positiveInt('EXIGENT_STREAMS_PER_SESSION', 8),
  EXIGENT_NCB_ESCALATION_MINUTES: positiveInt('EXIGENT_NCB_ESCALATION_MINUTES', 15),
  EXIGENT_SMTP_URL: z.url({ error: 'EXIGENT_SMTP_URL must be a URL such as smtps://user:pass@mail.example.org:465' }).optional(),
  EXIGENT_SMTP_FROM: z.string().min(3).default('Exigent <exigent@localhost>'),
  EXIGENT_MAIL_API_URL: z.url({ error: 'EXIGENT_MAIL_API_URL must be a URL such as https://api.resend.com/emails' }).optional(),
  EXIGENT_MAIL_API_TOKEN: z.string().min(1).optional(),
  EXIGENT_OUTBOX_MAX_ATTEMPTS: positiveInt('EXIGENT_OUTBOX_MAX_ATTEMPTS', 12),
  EXIGENT_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false'], { error: 'EXIGENT_WEBHOOK_ALLOW_PRIVATE must be true or false' }).default('false'),
  EXIGENT_SCHEDULER_SECONDS: positiveInt('EXIGENT_SCHEDULER_SECONDS', 5),
  EXIGENT_INSTRUMENTS_FILE: z.string().min(1).optional(),
});

export interface Config {
  port: number;
  host: string;
  /** Path of the SQLite file, or ':memory:'. */
  dbPath: string;
  /** The exact origin browsers use; WebAuthn and the CSRF check compare against it. */
  origin: string;
  rpId: string;
  rpName: string;
  /** File holding the log's Ed25519 signing key, kept outside the database it protects. */
  logKeyPath: string;
  /** The checkpoint origin line (C2SP tlog-checkpoint): names this log. */
  logOrigin: string;
  logLevel: z.infer<typeof envSchema>['EXIGENT_LOG_LEVEL'];
  sessionIdleMs: number;
  sessionMaxMs: number;
  invitationTtlMs: number;
  /** Attempts per minute per client address on the authentication endpoints. */
  authRateLimitPerMinute: number;
  maxBodyBytes: number;
  /** How often a new checkpoint is signed while the log grows. */
  checkpointIntervalMs: number;
  /** Largest accepted message envelope (ciphertext plus wrapped keys), in bytes. */
  maxEnvelopeBytes: number;
  /** Largest accepted encrypted attachment, in bytes. */
  maxAttachmentBytes: number;
  /**
   * Request-body bytes this process (on Workers: this isolate, which has its own memory) may be reading or holding
   * at once; a body that would exceed it is refused with 503 before it is read.
   */
  maxBodiesInFlightBytes: number;
  /** Attachments one user may upload per hour, and their total size in bytes. */
  attachmentUploadsPerHour: number;
  attachmentBytesPerHour: number;
  /** Passkey challenges a signed-in user may request per minute (urgent-contact step-ups, new passkeys). */
  challengeRatePerMinute: number;
  /** Undelivered ciphertext and blobs older than this are purged. */
  retentionMs: number;
  /** Undelivered envelopes a single device may have queued before senders are refused. */
  deviceQueueMax: number;
  sendRatePerMinute: number;
  /** Largest frame a device may send on its live stream, in bytes; a bigger one closes the stream (1009). */
  maxFrameBytes: number;
  /** Live streams one device may have open at once (its tabs and browsers together). */
  streamsPerDevice: number;
  /** Live streams one session may have open at once, device streams and NCB inbox streams together. */
  streamsPerSession: number;
  /** An NCB notification unacknowledged this long escalates (and again after twice as long). */
  ncbEscalationMs: number;
  /** SMTP server for NCB duty e-mails; without it e-mails wait in the outbox until one is configured. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /**
   * An HTTP mail API (Resend's `POST /emails` JSON shape) for NCB duty e-mails: the way out on Workers, which have
   * no SMTP sockets; on Node it is used when no SMTP server is set.
   */
  mailApiUrl: string | undefined;
  mailApiToken: string | undefined;
  /** Delivery attempts (with exponential backoff) before an outbox message is dead-lettered. */
  outboxMaxAttempts: number;
  /**
   * Whether webhooks may go to loopback, private-network (RFC 1918, fc00::/7) and carrier-grade NAT addresses: off
   * by default, so an administrator's URL cannot make the server call into its own network. Link-local addresses and
   * cloud metadata services stay refused either way.
   */
  webhookAllowPrivate: boolean;
  /** How often the scheduler looks for due escalations, reminders, outbox deliveries and purges. */
  schedulerIntervalMs: number;
  /** JSON file of legal-instrument presets (formal-request deadlines); defaults to the one shipped in config/. */
  instrumentsFile: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from an environment map (normally `process.env`).
 * @example
 * const config = loadConfig(process.env); // throws ConfigError naming every bad variable
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings are treated as unset so `PORT= npm start` behaves like no PORT at all.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const origin = (e.EXIGENT_ORIGIN ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const originUrl = new URL(origin);
  if (originUrl.pathname !== '/' || originUrl.search || originUrl.hash) {
    throw new ConfigError(`Invalid configuration:\n  EXIGENT_ORIGIN: must be a bare origin without path, got "${origin}"`);
  }
  if (e.EXIGENT_MAIL_API_URL && !e.EXIGENT_MAIL_API_TOKEN) {
    throw new ConfigError('Invalid configuration:\n  EXIGENT_MAIL_API_TOKEN: required with EXIGENT_MAIL_API_URL (the API key, sent as a Bearer token)');
  }
  // Otherwise an attachment of the largest accepted size could never be taken.
  if (e.EXIGENT_MAX_BODIES_IN_FLIGHT_MB < e.EXIGENT_MAX_ATTACHMENT_MB) {
    throw new ConfigError(
      `Invalid configuration:\n  EXIGENT_MAX_BODIES_IN_FLIGHT_MB: ${e.EXIGENT_MAX_BODIES_IN_FLIGHT_MB} is less than EXIGENT_MAX_ATTACHMENT_MB (${e.EXIGENT_MAX_ATTACHMENT_MB}); it must hold at least one attachment`,
    );
  }
  if (e.EXIGENT_ATTACHMENT_MB_PER_HOUR < e.EXIGENT_MAX_ATTACHMENT_MB) {
    throw new ConfigError(
      `Invalid configuration:\n  EXIGENT_ATTACHMENT_MB_PER_HOUR: ${e.EXIGENT_ATTACHMENT_MB_PER_HOUR} is less than EXIGENT_MAX_ATTACHMENT_MB (${e.EXIGENT_MAX_ATTACHMENT_MB}); a user must be able to upload one attachment`,
    );
  }
  const rpId = e.EXIGENT_RP_ID ?? originUrl.hostname;
  // WebAuthn requires the RP ID to be the origin's host or a registrable suffix of it.
  if (originUrl.hostname !== rpId && !originUrl.hostname.endsWith(`.${rpId}`)) {
    throw new ConfigError(
      `Invalid configuration:\n  EXIGENT_RP_ID: "${rpId}" must equal or be a parent domain of the origin's host "${originUrl.hostname}"`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dbPath: e.EXIGENT_DB,
    origin,
    rpId,
    rpName: e.EXIGENT_RP_NAME,
    // Beside the database; an in-memory one has no folder, so beside the default database.
    logKeyPath: e.EXIGENT_LOG_KEY ?? siblingPath(e.EXIGENT_DB === ':memory:' ? './data/exigent.db' : e.EXIGENT_DB, 'log-signing.key'),
    logOrigin: e.EXIGENT_LOG_ORIGIN ?? `${originUrl.host}/exigent-log`,
    logLevel: e.EXIGENT_LOG_LEVEL,
    sessionIdleMs: e.EXIGENT_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.EXIGENT_SESSION_MAX_HOURS * 3_600_000,
    invitationTtlMs: e.EXIGENT_INVITATION_HOURS * 3_600_000,
    authRateLimitPerMinute: e.EXIGENT_AUTH_RATE_LIMIT,
    maxBodyBytes: e.EXIGENT_MAX_BODY_KB * 1024,
    checkpointIntervalMs: e.EXIGENT_CHECKPOINT_SECONDS * 1000,
    maxEnvelopeBytes: e.EXIGENT_MAX_ENVELOPE_KB * 1024,
    maxAttachmentBytes: e.EXIGENT_MAX_ATTACHMENT_MB * 1024 * 1024,
    maxBodiesInFlightBytes: e.EXIGENT_MAX_BODIES_IN_FLIGHT_MB * 1024 * 1024,
    attachmentUploadsPerHour: e.EXIGENT_ATTACHMENT_UPLOADS_PER_HOUR,
    attachmentBytesPerHour: e.EXIGENT_ATTACHMENT_MB_PER_HOUR * 1024 * 1024,
    challengeRatePerMinute: e.EXIGENT_CHALLENGE_RATE_PER_MINUTE,
    retentionMs: e.EXIGENT_RETENTION_DAYS * 86_400_000,
    deviceQueueMax: e.EXIGENT_DEVICE_QUEUE_MAX,
    sendRatePerMinute: e.EXIGENT_SEND_RATE_PER_MINUTE,
    maxFrameBytes: e.EXIGENT_MAX_FRAME_KB * 1024,
    streamsPerDevice: e.EXIGENT_STREAMS_PER_DEVICE,
    streamsPerSession: e.EXIGENT_STREAMS_PER_SESSION,
    ncbEscalationMs: e.EXIGENT_NCB_ESCALATION_MINUTES * 60_000,
    smtpUrl: e.EXIGENT_SMTP_URL,
    smtpFrom: e.EXIGENT_SMTP_FROM,
    mailApiUrl: e.EXIGENT_MAIL_API_URL,
    mailApiToken: e.EXIGENT_MAIL_API_TOKEN,
    outboxMaxAttempts: e.EXIGENT_OUTBOX_MAX_ATTEMPTS,
    webhookAllowPrivate: e.EXIGENT_WEBHOOK_ALLOW_PRIVATE === 'true',
    schedulerIntervalMs: e.EXIGENT_SCHEDULER_SECONDS * 1000,
    instrumentsFile: e.EXIGENT_INSTRUMENTS_FILE,
  };
}

/**
 * `name` in the folder of `file`, spelled exactly as node:path's `join(dirname(file), name)` spells it on POSIX,
 * by plain string handling so the configuration loads on any runtime.
 */
function siblingPath(file: string, name: string): string {
  const absolute = file.startsWith('/');
  const segments = file.split('/').filter((s) => s !== '');
  segments.pop(); // the file's own name (like dirname, ignoring trailing slashes)
  const folder: string[] = [];
  for (const segment of segments) {
    if (segment === '.') continue;
    if (segment !== '..') folder.push(segment);
    else if (folder.length > 0 && folder.at(-1) !== '..') folder.pop();
    else if (!absolute) folder.push(segment); // a relative path may climb above its start; "/.." is "/"
  }
  return (absolute ? '/' : '') + [...folder, name].join('/');
}
