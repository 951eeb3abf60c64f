/**
 * @module Webhook endpoints: where an agency's case-management system receives signed notifications. The secret
 * is shown once, when the endpoint is created; listings never include it. A URL whose host is internal (loopback,
 * private, link-local, metadata: see webhookTargets.ts) is refused here, and checked again before each delivery.
 */
import { asc, eq } from 'drizzle-orm';
import { agencies } from '../directory/tables';
import { Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import { newWebhookSecret } from './standardWebhooks';
import { webhookEndpoints } from './tables';
import { webhookUrlRefusal, type WebhookTargetPolicy } from './webhookTargets';

export interface WebhookEndpoint {
  id: string;
  agencyId: string;
  url: string;
  createdAt: number;
  disabledAt: number | null;
}

export interface CreatedWebhookEndpoint {
  id: string;
  agencyId: string;
  url: string;
  /** Standard Webhooks secret ("whsec_…") for the receiver to verify signatures; not retrievable later. */
  secret: string;
  createdAt: number;
}

const summary = {
  id: webhookEndpoints.id,
  agencyId: webhookEndpoints.agencyId,
  url: webhookEndpoints.url,
  createdAt: webhookEndpoints.createdAt,
  disabledAt: webhookEndpoints.disabledAt,
};

export async function createWebhookEndpoint(
  { database, clock, config }: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: { agencyId: string; url: string },
): Promise<CreatedWebhookEndpoint> {
  const url = parseEndpointUrl(input.url, { allowPrivate: config.webhookAllowPrivate });
  const [agency] = await database.db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, input.agencyId));
  if (!agency) throw new NotFound(`Agency ${input.agencyId} does not exist`, 'agencyId');
  const endpoint = { id: crypto.randomUUID(), agencyId: agency.id, url, secret: newWebhookSecret(), createdAt: clock.now() };
  await database.batch([database.db.insert(webhookEndpoints).values(endpoint)]);
  return endpoint;
}

export async function listWebhookEndpoints({ database }: Pick<Platform, 'database'>, agencyId?: string): Promise<WebhookEndpoint[]> {
  return database.db
    .select(summary)
    .from(webhookEndpoints)
    .where(agencyId === undefined ? undefined : eq(webhookEndpoints.agencyId, agencyId))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
}

/** Stops deliveries to the endpoint; messages already queued for it are dead-lettered. Disabling twice keeps the first time. */
export async function disableWebhookEndpoint({ database, clock }: Pick<Platform, 'database' | 'clock'>, id: string): Promise<WebhookEndpoint> {
  const [endpoint] = await database.db.select(summary).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!endpoint) throw new NotFound(`Webhook endpoint ${id} does not exist`);
  if (endpoint.disabledAt !== null) return endpoint;
  const disabledAt = clock.now();
  await database.batch([database.db.update(webhookEndpoints).set({ disabledAt }).where(eq(webhookEndpoints.id, id))]);
  return { ...endpoint, disabledAt };
}

function parseEndpointUrl(raw: string, policy: WebhookTargetPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Invalid('The webhook URL is not a valid absolute URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Invalid('The webhook URL must use http or https', 'url');
  // fetch refuses such URLs, and delivery errors would then echo the password into logs.
  if (url.username || url.password) throw new Invalid('The webhook URL must not contain a user name or password', 'url');
  // Ensure the server is not made to call into its own network; the detail names the host and why.
  const refusal = webhookUrlRefusal(url, policy);
  if (refusal) throw new Invalid(refusal, 'url');
  return url.href;
}
