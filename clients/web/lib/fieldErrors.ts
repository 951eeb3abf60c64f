/** @module Turns an API problem (RFC 9457) into messages keyed by form field, so each shows next to its input. */
import { ApiProblem } from '../../sdk/api';

export interface FormErrors {
  /** Message per field name (the top-level field: "grounds.0" counts for "grounds"). */
  fields: Record<string, string>;
  /** What to show above the form when no field was named. */
  general: string | null;
}

export function formErrors(error: unknown): FormErrors {
  if (!(error instanceof ApiProblem)) return { fields: {}, general: error instanceof Error ? error.message : String(error) };
  const fields: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) {
    const field = e.field.split('.')[0]!;
    fields[field] ??= e.message;
  }
  return { fields, general: Object.keys(fields).length > 0 ? null : (error.problem.detail ?? error.problem.title) };
}

export const noErrors: FormErrors = { fields: {}, general: null };
