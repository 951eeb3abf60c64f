/**
 * @module The webhook POST on Node: the host is resolved once, every address it resolves to is checked
 * (src/outbox/webhookTargets.ts), and the connection is made to those very addresses. The check runs inside the
 * socket's own `lookup` hook, so no second resolution can answer differently between check and connect (DNS
 * rebinding); the URL keeps its host name, so TLS still verifies the certificate for that name (SNI) and the Host
 * header is the receiver's. Nothing is followed on a redirect: node:http never follows one.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PostWebhook } from '../../outbox/transports';
import { resolvedAddressRefusal, type WebhookTargetPolicy } from '../../outbox/webhookTargets';

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Every address of a host name (getaddrinfo: the hosts file, then DNS). */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

const resolveWithSystem: ResolveHost = (host) => systemLookup(host, { all: true, verbatim: true });

/**
 * @param options.resolveHost Defaults to the system resolver; tests map names of their own.
 * @example
 * const post = vettedWebhookPost({ allowPrivate: config.webhookAllowPrivate });
 */
export function vettedWebhookPost(options: WebhookTargetPolicy & { resolveHost?: ResolveHost }): PostWebhook {
  const lookup = vettedLookup(options.resolveHost ?? resolveWithSystem, options);
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const signal = AbortSignal.timeout(init.timeoutMs);
      // Node calls `lookup` only for host names; an IP literal was already checked with the URL (deliverOutbox).
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        target,
        // No shared agent: a pooled connection would skip the lookup, and with it the check, for its next request.
        { method: 'POST', headers: init.headers, lookup, agent: false, signal },
        (response) => {
          // Only the status matters; draining the body lets the socket close.
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        },
      );
      // A timeout surfaces as AbortError; the signal's own reason says "TimeoutError", which the outbox reports.
      request.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      request.end(init.body);
    });
}

function vettedLookup(resolveHost: ResolveHost, policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (addresses) => {
        // One forbidden answer refuses the host: otherwise which address is used would decide what is reached.
        const refusal =
          addresses.length === 0
            ? `The webhook host ${hostname} did not resolve to any address`
            : addresses.map(({ address }) => resolvedAddressRefusal(hostname, address, policy)).find((reason) => reason !== undefined);
        if (refusal) return callback(new Error(refusal), '', 0);
        if (options.all) return callback(null, addresses);
        const [first] = addresses;
        return callback(null, first!.address, first!.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}
