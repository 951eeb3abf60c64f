/** @module Users of the directory: listing, looking up, disabling and changing roles (each change logged). */
import { and, asc, eq, like, or, sql } from 'drizzle-orm';
import { sessions } from '../auth/tables';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Actor, Services } from '../services';
import { preparedQuery } from '../storage/preparedQuery';
import { findAgency } from './agencies';
import { assertRoleFitsAgency } from './roleAgencyRule';
import { agencies, users, type Role, type UserStatus } from './tables';

export interface User {
  id: string;
  displayName: string;
  email: string;
  role: Role;
  status: UserStatus;
  agencyId: string | null;
  agencyName: string | null;
  countryCode: string | null;
  createdAt: number;
}

const userColumns = {
  id: users.id,
  displayName: users.displayName,
  email: users.email,
  role: users.role,
  status: users.status,
  agencyId: users.agencyId,
  agencyName: agencies.name,
  countryCode: agencies.countryCode,
  createdAt: users.createdAt,
};

export async function listUsers(
  { database }: Pick<Services, 'database'>,
  filter: { role?: Role; agencyId?: string; countryCode?: string; status?: UserStatus; query?: string } = {},
): Promise<User[]> {
  const pattern = filter.query ? `%${filter.query.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : undefined;
  return database.db
    .select(userColumns)
    .from(users)
    .leftJoin(agencies, eq(users.agencyId, agencies.id))
    .where(
      and(
        filter.role ? eq(users.role, filter.role) : undefined,
        filter.agencyId ? eq(users.agencyId, filter.agencyId) : undefined,
        filter.countryCode ? eq(agencies.countryCode, filter.countryCode) : undefined,
        filter.status ? eq(users.status, filter.status) : undefined,
        pattern ? or(like(users.displayName, pattern), like(users.email, pattern)) : undefined,
      ),
    )
    .orderBy(asc(users.displayName))
    .limit(500);
}

// Read on every /me and on most writes that name a person: prepared once (see storage/preparedQuery).
const userById = preparedQuery((db) => db.select(userColumns).from(users).leftJoin(agencies, eq(users.agencyId, agencies.id)).where(eq(users.id, sql.placeholder('id'))).prepare());

export async function findUser({ database }: Pick<Services, 'database'>, id: string): Promise<User | undefined> {
  const [row] = await userById(database).all({ id });
  return row;
}

async function requireUser(services: Pick<Services, 'database'>, id: string): Promise<User> {
  const user = await findUser(services, id);
  if (!user) throw new NotFound(`User ${id} does not exist`);
  return user;
}

/** Disables the account and ends all its sessions in the same batch, so it is locked out at once. */
export async function disableUser(
  services: Pick<Services, 'database' | 'logWriter' | 'hub'>,
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
  services.hub.publish(`user:${user.id}`, { type: 'signed_out' });
  return { ...user, status: 'disabled' };
}

export async function changeUserRole(
  services: Pick<Services, 'database' | 'logWriter' | 'hub'>,
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
  services.hub.publish(`user:${user.id}`, { type: 'signed_out' });
  return { ...user, role: input.role, agencyId: agencyId ?? null, agencyName: agency?.name ?? null, countryCode: agency?.countryCode ?? null };
}
