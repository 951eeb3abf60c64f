/** @module Enrolment links: the one-time first-admin link and admin-issued invitations (single use, expiring, stored hashed). */
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { randomToken } from '../crypto/randomToken';
import { sha256Hex } from '../crypto/sha256';
import { findAgency } from '../directory/agencies';
import { assertRoleFitsAgency } from '../directory/roleAgencyRule';
import { users, type Role } from '../directory/tables';
import { Conflict, NotFound } from '../errors';
import type { Platform } from '../platform';
import { enrolments } from './tables';

export const FIRST_ADMIN_TTL_MS = 24 * 3_600_000;

export interface EnrolmentLink {
  id: string;
  /** Shown once; only its hash is stored. */
  token: string;
  /** The token travels in the URL fragment, which browsers never send to servers or proxies' logs. */
  url: string;
  expiresAt: number;
}

export interface Enrolment {
  id: string;
  kind: 'first_admin' | 'invitation';
  email: string | null;
  displayName: string | null;
  role: Role;
  agencyId: string | null;
  expiresAt: number;
}

function enrolmentUrl(origin: string, token: string): string {
  return `${origin}/enrol#token=${token}`;
}

/**
 * Issues a first-admin link. Without `force` it is only allowed while no active administrator exists
 * (the server calls it on first start); `force` is for the operator's CLI when every admin is locked out.
 */
export async function createFirstAdminEnrolment(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  options: { force?: boolean } = {},
): Promise<EnrolmentLink> {
  const { database, clock, config } = services;
  if (!options.force) {
    const [admin] = await database.db.select({ id: users.id }).from(users).where(and(eq(users.role, 'admin'), eq(users.status, 'active'))).limit(1);
    if (admin) throw new Conflict('An active administrator already exists; use an invitation instead');
  }
  const token = randomToken();
  const now = clock.now();
  const link = { id: crypto.randomUUID(), token, url: enrolmentUrl(config.origin, token), expiresAt: now + FIRST_ADMIN_TTL_MS };
  await database.batch([
    database.db.insert(enrolments).values({
      id: link.id,
      kind: 'first_admin',
      tokenHash: await sha256Hex(token),
      role: 'admin',
      createdAt: now,
      expiresAt: link.expiresAt,
    }),
  ]);
  return link;
}

/** True when the database has no enrolment and no user yet: a brand-new installation. */
export async function isFreshInstallation({ database }: Pick<Platform, 'database'>): Promise<boolean> {
  const [user] = await database.db.select({ id: users.id }).from(users).limit(1);
  const [enrolment] = await database.db.select({ id: enrolments.id }).from(enrolments).limit(1);
  return !user && !enrolment;
}

export interface InvitationInput {
  email: string;
  displayName: string;
  role: Role;
  agencyId: string | null;
  /** The inviting admin's user id, or a label such as "operator-cli" for shell-issued invitations. */
  createdBy: string;
}

export async function createInvitation(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
  input: InvitationInput,
): Promise<EnrolmentLink> {
  const { database, clock, config } = services;
  const email = input.email.toLowerCase();
  // Ensure the agency exists and suits the role (an NCB officer works at an NCB, …).
  const agency = input.agencyId ? await findAgency(services, input.agencyId) : undefined;
  if (input.agencyId && !agency) throw new NotFound(`Agency ${input.agencyId} does not exist`, 'agencyId');
  assertRoleFitsAgency(input.role, agency);
  const [existing] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw new Conflict(`A user with e-mail ${email} already exists`, 'email');
  const token = randomToken();
  const now = clock.now();
  const link = { id: crypto.randomUUID(), token, url: enrolmentUrl(config.origin, token), expiresAt: now + config.invitationTtlMs };
  await database.batch([
    database.db.insert(enrolments).values({
      id: link.id,
      kind: 'invitation',
      tokenHash: await sha256Hex(token),
      email,
      displayName: input.displayName,
      role: input.role,
      agencyId: input.agencyId,
      createdBy: input.createdBy,
      createdAt: now,
      expiresAt: link.expiresAt,
    }),
  ]);
  return link;
}

/** Finds the enrolment behind a token if it is unused, unrevoked and unexpired; one generic error otherwise, so guesses learn nothing. */
export async function findUsableEnrolment(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  token: string,
): Promise<Enrolment> {
  const [row] = await database.db
    .select()
    .from(enrolments)
    .where(
      and(
        eq(enrolments.tokenHash, await sha256Hex(token)),
        isNull(enrolments.usedAt),
        isNull(enrolments.revokedAt),
        gt(enrolments.expiresAt, clock.now()),
      ),
    );
  if (!row) throw new NotFound('This enrolment link is invalid, expired or already used; ask an administrator for a new one', 'token');
  return { id: row.id, kind: row.kind, email: row.email, displayName: row.displayName, role: row.role, agencyId: row.agencyId, expiresAt: row.expiresAt };
}

export async function listPendingInvitations({ database, clock }: Pick<Platform, 'database' | 'clock'>) {
  return database.db
    .select({
      id: enrolments.id,
      email: enrolments.email,
      displayName: enrolments.displayName,
      role: enrolments.role,
      agencyId: enrolments.agencyId,
      createdAt: enrolments.createdAt,
      expiresAt: enrolments.expiresAt,
    })
    .from(enrolments)
    .where(and(eq(enrolments.kind, 'invitation'), isNull(enrolments.usedAt), isNull(enrolments.revokedAt), gt(enrolments.expiresAt, clock.now())))
    .orderBy(desc(enrolments.createdAt));
}
