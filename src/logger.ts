/**
 * @module The logging calls shared code makes, in pino's call shapes (`info(fields, message)`), so pino satisfies it on
 * Node and a console-backed logger can on Workers.
 */

export interface LogFn {
  /** Structured fields first, then the message: the fields become JSON properties of the line. */
  (fields: object, message: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
