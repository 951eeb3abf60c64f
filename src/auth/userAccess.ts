/**
 * @module Changes to a user's access: disabling the account and changing its role (each logged). Both end the user's
 * sessions in the same batch and sign out their live streams, so they sit in auth, which drives the directory.
 */
import { eq } from 'drizzle-orm';
import type { LogWriter } from '../audit-log/logWriter';
import type { Actor } from '../directory/actor';
import { findAgency } from '../directory/agencies';
import { assertRoleFitsAgency } from '../directory/roleAgencyRule';
import { users, type Role } from '../directory/tables';
import { findUser, type User } from '../directory/users';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { LivePublisher } from '../relay/deliveryHub';
import { sessions } from './tables';

async function requireUser(services: Pick<Platform, 'database'>, id: string): Promise<User> {
  const user = await findUser(services, id);
  if (!user) throw new NotFound(`User ${id} does not exist`);
  return user;
}

/** Disables the account and ends all its sessions in the same batch, so it is locked out at once. */
export async function disableUser(
  services: Pick<Platform, 'database'> & { logWriter: LogWriter; hub: LivePublisher },
  input: { userId: string; actor: Actor; reason: string },
): Promise<User> {
  const { database, logWriter } = services;
  const user = await requireUser(services, input.userId);
  if (user.id === input.actor.userId) throw new Invalid('You cannot disable your own account', 'userId');
  if (user.status === 'disabled') throw new Conflict(`User ${user.email} is already disabled`);
  await logWriter.commit(
    [
      {
        type: 'user.disabled',
        actor: { userId: input.actor.userId, role: input.actor.role },
        subject: { userId: user.id },
        countries: user.countryCode ? [user.countryCode] : [],
        details: { reason: input.reason },
      },
    ],
    [
      database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, user.id)),
      database.db.delete(sessions).where(eq(sessions.userId, user.id)),
    ],
  );
  // Open WebSocket and event streams end now too, not at their next session check.
  services.hub.publish(`user:${user.id}`, { type: 'signed_out', sessions: 'all' });
  return { ...user, status: 'disabled' };
}

export async function changeUserRole(
  services: Pick<Platform, 'database'> & { logWriter: LogWriter; hub: LivePublisher },
  input: { userId: string; role: Role; agencyId?: string | null; actor: Actor },
): Promise<User> {
  const { database, logWriter } = services;
  const user = await requireUser(services, input.userId);
  if (user.id === input.actor.userId) throw new Invalid('You cannot change your own role', 'userId');
  const agencyId = input.agencyId === undefined ? user.agencyId : input.agencyId;
  const agency = agencyId ? await findAgency(services, agencyId) : undefined;
  if (agencyId && !agency) throw new NotFound(`Agency ${agencyId} does not exist`, 'agencyId');
  assertRoleFitsAgency(input.role, agency);
  await logWriter.commit(
    [
      {
        type: 'user.role_changed',
        actor: { userId: input.actor.userId, role: input.actor.role },
        subject: { userId: user.id },
        countries: [user.countryCode, agency?.countryCode].filter((c): c is string => !!c),
        details: { from: user.role, to: input.role, agencyId: agencyId ?? null },
      },
    ],
    // Sessions are ended so the new role takes effect with a fresh login.
    [
      database.db.update(users).set({ role: input.role, agencyId: agencyId ?? null }).where(eq(users.id, user.id)),
      database.db.delete(sessions).where(eq(sessions.userId, user.id)),
    ],
  );
  services.hub.publish(`user:${user.id}`, { type: 'signed_out', sessions: 'all' });
  return { ...user, role: input.role, agencyId: agencyId ?? null, agencyName: agency?.name ?? null, countryCode: agency?.countryCode ?? null };
}
