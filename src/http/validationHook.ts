/**
 * @module Turns zod validation failures into a problem that names every offending field: 400 for a malformed request,
 * 422 when every issue is about what well-formed values mean (refinements marked UNPROCESSABLE in ./schemas).
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { problemResponse, type Problem } from './problem';
import { UNPROCESSABLE } from './schemas';

const TARGET_LABEL: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header', cookie: 'cookie' };

/** The problem body for `error`, found validating `target` (json, query, param…), without a request id. */
export function validationProblemBody(error: ZodError, target: string): Omit<Problem, 'type'> {
  const errors = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : TARGET_LABEL[target] ?? target,
    message: issue.message,
  }));
  const unprocessable = error.issues.every((issue) => issue.code === 'custom' && issue.params?.unprocessable === UNPROCESSABLE.unprocessable);
  return {
    title: unprocessable ? 'Unprocessable request' : 'Invalid request',
    status: unprocessable ? 422 : 400,
    detail: `Invalid ${TARGET_LABEL[target] ?? target}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    errors,
  };
}

export function validationProblem(error: ZodError, target: string, c: Context): Response {
  return problemResponse({ ...validationProblemBody(error, target), requestId: c.get('requestId') });
}

/** The defaultHook of every OpenAPIHono router. */
export function validationHook(result: { success: boolean; error?: unknown; target: string }, c: Context): Response | undefined {
  if (!result.success) return validationProblem(result.error as ZodError, result.target, c);
  return undefined;
}
