/** @module Maps every thrown error to a problem, once: domain errors to their status, client mistakes to 4xx, the rest to a logged 500. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { DomainError, IntegrityFailure, TooManyRequests, Unavailable } from '../errors';
import type { Logger } from '../logger';
import type { AppEnv } from './appEnv';
import { problemResponse, type Problem } from './problem';
import { validationProblemBody } from './validationHook';

/** SQLite constraint errors reach us only when a concurrent request won a race the domain checks had already looked at. */
function isConstraintError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  // A trigger's RAISE is a server-side fault, not a lost race: it stays a 500.
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT') && code !== 'SQLITE_CONSTRAINT_TRIGGER';
}

/** A problem body and the headers that go with it when it is an HTTP response. */
export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
}

/**
 * The problem an error is answered with, wherever it is answered: an HTTP response (errorHandler below) or a frame on
 * a device's stream (./streamSend.ts). `logger` records what the client is not told (a 500's cause, an integrity finding).
 */
export function problemFor(error: unknown, context: { requestId?: string; logger?: Pick<Logger, 'error'> }): ProblemAnswer {
  const { requestId, logger } = context;
  const withId = (problem: Omit<Problem, 'type'>): Problem => ({ type: 'about:blank', ...problem, ...(requestId ? { requestId } : {}) });
  if (error instanceof DomainError) {
    // The server found its own records tampered with: the client gets the finding, the operator an error line.
    if (error instanceof IntegrityFailure) logger?.error({ err: error, requestId }, 'integrity check failed');
    // RFC 9110 §10.2.3: both refusals say when to come back.
    const headers: Record<string, string> =
      error instanceof TooManyRequests || error instanceof Unavailable ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    // The client may still be uploading the body we refused to read: close the connection instead of reusing it.
    if (error.status === 413) headers.connection = 'close';
    const fields = error.field ? { errors: [{ field: error.field, message: error.message }] } : {};
    return { problem: withId({ title: error.title, status: error.status, detail: error.message, ...fields }), headers };
  }
  if (error instanceof ZodError) return { problem: withId(validationProblemBody(error, 'json')), headers: {} };
  if (error instanceof HTTPException) {
    const status = error.status;
    const detail = error.message || (status === 413 ? 'The request body is too large' : 'The request could not be processed');
    return { problem: withId({ title: status === 413 ? 'Payload too large' : 'Bad request', status, detail }), headers: {} };
  }
  if (isConstraintError(error)) {
    const detail = 'The request conflicts with a record written concurrently; reload and try again';
    return { problem: withId({ title: 'Conflict', status: 409, detail }), headers: {} };
  }
  logger?.error({ err: error, requestId }, 'unhandled error');
  return { problem: withId({ title: 'Internal server error', status: 500, detail: 'An unexpected error occurred; it has been logged' }), headers: {} };
}

export function errorHandler(error: Error, c: Context<AppEnv>): Response {
  const { problem, headers } = problemFor(error, { requestId: c.get('requestId'), logger: c.get('services')?.logger });
  return problemResponse(problem, headers);
}
