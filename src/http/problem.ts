/** @module RFC 9457 problem details: the one shape every error response of the API takes. */
import { z } from '@hono/zod-openapi';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'about:blank' }),
    title: z.string().openapi({ example: 'Unprocessable request' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().openapi({ example: 'narrative: must be at least 40 characters' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    /** Field-level problems, so a form can show each message next to its field. */
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof ProblemSchema>;

export function problemResponse(problem: Omit<Problem, 'type'> & { type?: string }, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', ...problem }), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}
