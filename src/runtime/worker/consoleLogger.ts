/** @module The Worker's logger: one JSON object per line on the console (Workers Logs / `wrangler tail` collect it). */
import type { Logger, LogFn } from '../../logger';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];
/** Field names never printed, whatever a caller passes (as pino's redact does on Node). */
const SECRET_FIELDS = new Set(['token', 'cookie', 'privateKey', 'secret']);

export function consoleLogger(minimum: string): Logger {
  const threshold = minimum === 'silent' ? LEVELS.length : Math.max(0, LEVELS.indexOf(minimum as Level));
  const at = (level: Level): LogFn =>
    ((fieldsOrMessage: object | string, message?: string) => {
      if (LEVELS.indexOf(level) < threshold) return;
      const fields = typeof fieldsOrMessage === 'string' ? {} : fieldsOrMessage;
      const msg = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : message;
      const line = JSON.stringify({ ...fields, level, time: Date.now(), msg }, (key, value) => (SECRET_FIELDS.has(key) ? '[redacted]' : value instanceof Error ? { message: value.message, stack: value.stack } : value));
      (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line);
    }) as LogFn;
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
