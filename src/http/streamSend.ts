/**
 * @module Sending an envelope over a device's own stream: the `send` frame is checked as the HTTP route
 * `POST /conversations/{id}/messages` checks its request (the same schemas, the same send budget, the same domain
 * function `postEnvelope`) and a refusal is the problem that route would answer, mapped by the same `problemFor`.
 * The runtime builds it and hands it to the stream (src/relay/deviceStream.ts).
 */
import { z } from 'zod';
import type { RateLimiter, RateLimiterFactory } from '../auth/rateLimiter';
import type { Config } from '../config/loadConfig';
import { NotFound } from '../errors';
import type { StreamProblem, StreamSender } from '../relay/deviceStream';
import { EnvelopeV1Schema } from '../relay/envelopeFormat';
import { postEnvelope } from '../relay/postEnvelope';
import type { Services } from '../runtime/services';
import { problemFor } from './errorHandler';
import { IdParam } from './schemas';
import { validationProblemBody } from './validationHook';

/** The budget of messages a user sends per minute, shared by the HTTP route and every stream (one `what`: one budget). */
export const messagesSentLimiter = (rateLimiters: RateLimiterFactory, config: Pick<Config, 'sendRatePerMinute'>): RateLimiter =>
  rateLimiters({ limit: config.sendRatePerMinute, windowMs: 60_000, what: 'messages sent' });

const ConversationId = IdParam.shape.id;

/**
 * @example
 * const sender = streamSender(services, { rateLimiters });
 * openDeviceStream(services, { …, sender });
 */
export function streamSender(
  services: Pick<Services, 'database' | 'clock' | 'config' | 'signatures' | 'hub' | 'logger'>,
  options: { rateLimiters: RateLimiterFactory },
): StreamSender {
  const sendLimiter = messagesSentLimiter(options.rateLimiters, services.config);
  const refusal = (error: unknown): StreamProblem => problemFor(error, { logger: services.logger }).problem;
  return {
    async send({ actor, deviceId, conversationId, envelope }) {
      try {
        // The route's order: its path, then its body, then the budget, then the domain's own checks.
        const param = ConversationId.safeParse(conversationId);
        if (!param.success) return { type: 'error', problem: { type: 'about:blank', ...validationProblemBody(prefixed(param.error, 'conversationId'), 'json') } };
        const body = EnvelopeV1Schema.safeParse(envelope);
        if (!body.success) return { type: 'error', problem: { type: 'about:blank', ...validationProblemBody(body.error, 'json') } };
        await sendLimiter.hit(actor.userId);
        // A stream speaks for its own device only: another device, even the user's own, is refused as HTTP refuses a stranger's.
        if (body.data.senderDeviceId !== deviceId) {
          throw new NotFound(`You have no device with id ${body.data.senderDeviceId} on this stream; it sends as device ${deviceId}`);
        }
        const posted = await postEnvelope(services, { actor, conversationId: param.data, envelope: body.data });
        return { type: 'sent', ...posted };
      } catch (error) {
        return { type: 'error', problem: refusal(error) };
      }
    },
    malformed(detail) {
      return { type: 'about:blank', title: 'Invalid request', status: 400, detail };
    },
  };
}

/** The conversation's id is a field of the frame (the route's path parameter), so its issues name that field. */
function prefixed(error: z.ZodError, name: string): z.ZodError {
  return new z.ZodError(error.issues.map((issue) => ({ ...issue, path: [name, ...issue.path] })));
}
