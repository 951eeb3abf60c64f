/**
 * @module Publishing on Workers: each channel's live connections sit in the LiveHub Durable Object named after it
 * (a device id, `ncb:<agencyId>`); an account's channel (`user:<userId>`) goes to that account's object, which
 * knows where the account's streams are. Publishing stays best effort, as on Node: the database is the truth.
 */
import type { HubEvent, LivePublisher } from '../../relay/deliveryHub';
import type { Logger } from '../../logger';

export interface DurableObjectHub extends LivePublisher {
  /** Resolves when every publish started so far has reached its object (for `ctx.waitUntil`). */
  settled(): Promise<void>;
}

export function durableObjectHub(namespace: DurableObjectNamespace<import('./liveHub').LiveHub>, logger: Logger): DurableObjectHub {
  const inFlight = new Set<Promise<unknown>>();
  return {
    publish(channel: string, event: HubEvent) {
      const stub = namespace.get(namespace.idFromName(channel));
      const sent = (channel.startsWith('user:') ? stub.publishToAccount(channel, event) : stub.publish(channel, event))
        .catch((error: Error) => logger.warn({ channel, err: error }, 'live publish failed; the queue still holds the event'))
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
