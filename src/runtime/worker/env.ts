/** @module The Worker's bindings (wrangler.toml) and the Durable Object classes they point to. */
import type { DueWorkRunner } from './dueWorkRunner';
import type { LiveHub } from './liveHub';
import type { LogSequencer } from './logSequencer';
import type { RateLimitCounter } from './rateLimitCounter';

export interface Env {
  DB: D1Database;
  /** Encrypted attachments (opaque ciphertext). */
  ATTACHMENTS: R2Bucket;
  /** Live streams: one object per device or NCB, plus one per account for its channel. */
  LIVE: DurableObjectNamespace<LiveHub>;
  /** The log's single writer (one object). */
  LOG: DurableObjectNamespace<LogSequencer>;
  /** Runs the Cron Trigger's ticks one at a time (one object). */
  DUE_WORK: DurableObjectNamespace<DueWorkRunner>;
  /** Fixed-window rate limits, one object per limited key. */
  LIMITS: DurableObjectNamespace<RateLimitCounter>;
  /** The web app's bundle and the API docs' script (static assets). */
  ASSETS: Fetcher;
  /** Ed25519 PKCS#8 key (PEM) signing the log's checkpoints: `wrangler secret put EXIGENT_LOG_SIGNING_KEY`. */
  EXIGENT_LOG_SIGNING_KEY?: string;
  /** Every other EXIGENT_* setting is a var with the same name and meaning as on Node. */
  [variable: string]: unknown;
}

/** The string-valued settings among the bindings: what loadConfig reads, as it reads process.env on Node. */
export function settingsOf(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
