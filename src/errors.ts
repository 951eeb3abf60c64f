/** @module Typed domain errors: domain code throws these; src/http maps them once to RFC 9457 problem responses. */

export abstract class DomainError extends Error {
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;
  abstract readonly title: string;
  /** Optional machine-readable pointer to the offending field, e.g. "narrative". */
  readonly field: string | undefined;
  constructor(detail: string, field?: string) {
    super(detail);
    this.field = field;
  }
}

/** The request is well-formed but asks for something the rules forbid (e.g. a short narrative). */
export class Invalid extends DomainError {
  readonly status = 422;
  readonly title = 'Unprocessable request';
}

export class NotFound extends DomainError {
  readonly status = 404;
  readonly title = 'Not found';
}

export class Conflict extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

export class Unauthenticated extends DomainError {
  readonly status = 401;
  readonly title = 'Authentication required';
}

export class TooManyRequests extends DomainError {
  readonly status = 429;
  readonly title = 'Too many requests';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

export class PayloadTooLarge extends DomainError {
  readonly status = 413;
  readonly title = 'Payload too large';
}

/** The server cannot take this request right now (it is holding as many request bodies as it may); retry shortly. */
export class Unavailable extends DomainError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/**
 * The server's own data failed an integrity check (the log's history in the database was rewritten, a stored
 * checkpoint does not match its signed note): not the client's mistake and not cured by retrying. It is answered
 * with a 500 that says what was found, and logged at error level so that an operator investigates.
 */
export class IntegrityFailure extends DomainError {
  readonly status = 500;
  readonly title = 'Integrity check failed';
}
