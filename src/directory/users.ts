/**
 * @module Users of the directory: listing and looking up. Disabling a user and changing a role end their sessions too,
 * so auth does those (auth/userAccess.ts).
 */
import { and, asc, eq, like, or, sql } from 'drizzle-orm';
import type { Platform } from '../platform';
import { preparedQuery } from '../storage/preparedQuery';
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
  { database }: Pick<Platform, 'database'>,
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

export async function findUser({ database }: Pick<Platform, 'database'>, id: string): Promise<User | undefined> {
  const [row] = await userById(database).all({ id });
  return row;
}
