/** @module Maps every thrown error to a problem response, once: domain errors to their status, client mistakes to 4xx, the rest to a logged 500. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { DomainError, IntegrityFailure, TooManyRequests, Unavailable } from '../errors';
import type { AppEnv } from './appEnv';
import { problemResponse } from './problem';
import { validationProblem } from './validationHook';

/** SQLite constraint errors reach us only when a concurrent request won a race the domain checks had already looked at. */
function isConstraintError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  // A trigger's RAISE is a server-side fault, not a lost race: it stays a 500.
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT') && code !== 'SQLITE_CONSTRAINT_TRIGGER';
}

export function errorHandler(error: Error, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  if (error instanceof DomainError) {
    // The server found its own records tampered with: the client gets the finding, the operator an error line.
    if (error instanceof IntegrityFailure) c.get('services')?.logger.error({ err: error, requestId }, 'integrity check failed');
    // RFC 9110 §10.2.3: both refusals say when to come back.
    const headers: Record<string, string> =
      error instanceof TooManyRequests || error instanceof Unavailable ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    // The client may still be uploading the body we refused to read: close the connection instead of reusing it.
    if (error.status === 413) headers.connection = 'close';
    return problemResponse(
      {
        title: error.title,
        status: error.status,
        detail: error.message,
        requestId,
        ...(error.field ? { errors: [{ field: error.field, message: error.message }] } : {}),
      },
      headers,
    );
  }
  if (error instanceof ZodError) return validationProblem(error, 'json', c);
  if (error instanceof HTTPException) {
    const status = error.status;
    const detail = error.message || (status === 413 ? 'The request body is too large' : 'The request could not be processed');
    return problemResponse({ title: status === 413 ? 'Payload too large' : 'Bad request', status, detail, requestId });
  }
  if (isConstraintError(error)) {
    return problemResponse({
      title: 'Conflict',
      status: 409,
      detail: 'The request conflicts with a record written concurrently; reload and try again',
      requestId,
    });
  }
  c.get('services')?.logger.error({ err: error, requestId }, 'unhandled error');
  return problemResponse({ title: 'Internal server error', status: 500, detail: 'An unexpected error occurred; it has been logged', requestId });
}
