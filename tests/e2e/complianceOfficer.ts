/**
 * @module The quickest way to a compliance officer signed in to the web app: the directory and the invitation are
 * made over the API by an administrator, then the officer enrols in Chromium with the page's virtual authenticator.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { enrolWithLink, seedDirectory, type Person } from '../support/people';
import type { TestServer } from '../support/testServer';
import { enrol } from './browser';

export async function complianceOfficerIn(page: Page, server: TestServer, origin: string): Promise<{ admin: Person; oversight: string }> {
  const admin = await enrolWithLink(server.url, server.firstAdminUrl!, { email: 'admin@exigent.test', displayName: 'First Admin' }, origin);
  const { agencies } = await seedDirectory(admin);
  const invitation = await admin.client.post('/api/v1/invitations', { email: 'audit@oversight.ua', displayName: 'Olena Compliance', role: 'compliance', agencyId: agencies.oversight });
  expect(invitation.status, invitation.text).toBe(201);
  await enrol(page, invitation.body.url);
  return { admin, oversight: agencies.oversight };
}

export async function servedLogKey(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/log/key`);
  return ((await res.json()) as { verifierKey: string }).verifierKey;
}

/**
 * The fingerprint an operator reads out over the phone: the first 128 bits of SHA-256 over the verifier key's text,
 * i.e. the first 32 hex digits of `printf %s "$VKEY" | sha256sum`, in groups of four.
 */
export function fingerprintOf(verifierKey: string): string {
  return createHash('sha256').update(verifierKey).digest('hex').slice(0, 32).match(/.{4}/g)!.join(' ');
}
