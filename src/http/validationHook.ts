/** @module Turns zod validation failures into a 400 problem that names every offending field. */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { problemResponse } from './problem';

const TARGET_LABEL: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header', cookie: 'cookie' };

export function validationProblem(error: ZodError, target: string, c: Context): Response {
  const errors = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : TARGET_LABEL[target] ?? target,
    message: issue.message,
  }));
  return problemResponse({
    title: 'Invalid request',
    status: 400,
    detail: `Invalid ${TARGET_LABEL[target] ?? target}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    errors,
    requestId: c.get('requestId'),
  });
}

/** The defaultHook of every OpenAPIHono router. */
export function validationHook(result: { success: boolean; error?: unknown; target: string }, c: Context): Response | undefined {
  if (!result.success) return validationProblem(result.error as ZodError, result.target, c);
  return undefined;
}
