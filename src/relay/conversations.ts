/**
 * @module Conversations and their members. Who may *open* one is the urgent-contact workflow's decision; this
 * module only builds the rows (as statements, so the opener can commit them in its own atomic batch),
 * answers membership questions and closes conversations.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { agencies, users } from '../directory/tables';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Platform } from '../platform';
import type { Statement } from '../storage/database';
import { preparedQuery } from '../storage/preparedQuery';
import type { DeviceKeys } from './devices';
import { conversationMembers, conversations, devices, CONVERSATION_STATUSES } from './tables';

export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export interface ConversationMember {
  userId: string;
  displayName: string;
  countryCode: string | null;
  /** Active and revoked devices: clients need revoked keys to recognise (and refuse) a revoked sender. */
  devices: Array<Pick<DeviceKeys, 'id' | 'name' | 'identityKey' | 'agreementKey' | 'registrationSignature' | 'createdAt' | 'revokedAt'>>;
}

export interface ConversationView {
  id: string;
  status: ConversationStatus;
  createdAt: number;
  closedAt: number | null;
  members: ConversationMember[];
}

/**
 * The rows of a new open conversation, for the caller's batch.
 * @example
 * const { id, statements } = await newConversation(services, { memberUserIds: [a, b] });
 * await logWriter.commit([openedEvent], [...contactRows, ...statements]);
 */
export async function newConversation(
  services: Pick<Platform, 'database' | 'clock'>,
  input: { memberUserIds: readonly string[]; id?: string },
): Promise<{ id: string; statements: Statement[] }> {
  const members = [...new Set(input.memberUserIds)];
  if (members.length < 2) throw new Invalid('A conversation needs at least two different members', 'memberUserIds');
  const found = await services.database.db
    .select({ id: users.id, status: users.status })
    .from(users)
    .where(inArray(users.id, members));
  const missing = members.filter((id) => !found.some((u) => u.id === id && u.status === 'active'));
  if (missing.length > 0) throw new Invalid(`These members are unknown or disabled: ${missing.join(', ')}`, 'memberUserIds');
  const id = input.id ?? crypto.randomUUID();
  const { db } = services.database;
  return {
    id,
    statements: [
      db.insert(conversations).values({ id, status: 'open', createdAt: services.clock.now() }),
      db.insert(conversationMembers).values(members.map((userId) => ({ conversationId: id, userId }))),
    ],
  };
}

/** Creates and commits a conversation on its own (tests, tools); the urgent-contact workflow uses `newConversation`. */
export async function createConversation(services: Pick<Platform, 'database' | 'clock'>, input: { memberUserIds: readonly string[] }): Promise<string> {
  const { id, statements } = await newConversation(services, input);
  await services.database.batch(statements);
  return id;
}

export function closeConversationStatement(services: Pick<Platform, 'database'>, id: string, at: number): Statement {
  return services.database.db.update(conversations).set({ status: 'closed', closedAt: at }).where(eq(conversations.id, id));
}

export async function memberUserIds({ database }: Pick<Platform, 'database'>, conversationId: string): Promise<string[]> {
  const rows = await database.db
    .select({ userId: conversationMembers.userId })
    .from(conversationMembers)
    .where(eq(conversationMembers.conversationId, conversationId));
  return rows.map((r) => r.userId);
}

const membership = preparedQuery((db) =>
  db
    .select({ id: conversations.id, status: conversations.status, createdAt: conversations.createdAt, closedAt: conversations.closedAt })
    .from(conversations)
    .innerJoin(conversationMembers, eq(conversationMembers.conversationId, conversations.id))
    .where(and(eq(conversations.id, sql.placeholder('conversationId')), eq(conversationMembers.userId, sql.placeholder('userId'))))
    .prepare(),
);

/**
 * What a send needs to know about its conversation, in one prepared read: the conversation's status, and every
 * member with each of their active devices (identity key and queue depth). No rows when the actor is not a
 * member. A member without any device appears once with `deviceId` null. (The depth is a plain count over the
 * device's index range: sends stop at the queue cap, so it stays bounded; a `limit`ed count costs a subquery per
 * row and was slower on every send.)
 */
export const conversationForSend = preparedQuery((db) =>
  db
    .select({
      status: conversations.status,
      userId: conversationMembers.userId,
      deviceId: devices.id,
      identityKey: devices.identityKey,
      queued: sql<number>`(select count(*) from deliveries as q where q.device_id = ${devices.id})`,
    })
    .from(conversations)
    .innerJoin(conversationMembers, eq(conversationMembers.conversationId, conversations.id))
    .leftJoin(devices, and(eq(devices.userId, conversationMembers.userId), isNull(devices.revokedAt)))
    .where(
      and(
        eq(conversations.id, sql.placeholder('conversationId')),
        sql`exists (select 1 from conversation_members as me where me.conversation_id = ${conversations.id} and me.user_id = ${sql.placeholder('userId')})`,
      ),
    )
    .prepare(),
);

/** The refusal for an actor who is not a member (NotFound, so outsiders cannot probe ids) or may not post (closed). */
export function assertMember<T extends { status: ConversationStatus }>(
  conversation: T | undefined,
  conversationId: string,
  options: { open?: boolean } = {},
): asserts conversation is T {
  if (!conversation) throw new NotFound(`You are not a member of a conversation with id ${conversationId}`);
  if (options.open && conversation.status !== 'open') throw new Conflict('This conversation is closed; nothing more can be posted to it');
}

/** The conversation if the actor is a member; NotFound otherwise, so outsiders cannot probe ids. */
export async function requireMembership(
  services: Pick<Platform, 'database'>,
  actor: Pick<Actor, 'userId'>,
  conversationId: string,
  options: { open?: boolean } = {},
) {
  const [row] = await membership(services.database).all({ conversationId, userId: actor.userId });
  assertMember(row, conversationId, options);
  return row;
}

export async function viewConversation(services: Pick<Platform, 'database'>, actor: Actor, conversationId: string): Promise<ConversationView> {
  const conversation = await requireMembership(services, actor, conversationId);
  const memberIds = await memberUserIds(services, conversationId);
  const people = await services.database.db
    .select({ userId: users.id, displayName: users.displayName, countryCode: agencies.countryCode })
    .from(users)
    .leftJoin(agencies, eq(agencies.id, users.agencyId))
    .where(inArray(users.id, memberIds))
    .orderBy(asc(users.displayName));
  const keys = await services.database.db.select().from(devices).where(inArray(devices.userId, memberIds)).orderBy(asc(devices.createdAt));
  return {
    ...conversation,
    members: people.map((p) => ({
      userId: p.userId,
      displayName: p.displayName,
      countryCode: p.countryCode,
      devices: keys
        .filter((d) => d.userId === p.userId)
        .map(({ id, name, identityKey, agreementKey, registrationSignature, createdAt, revokedAt }) => ({
          id,
          name,
          identityKey,
          agreementKey,
          registrationSignature,
          createdAt,
          revokedAt,
        })),
    })),
  };
}

export async function listConversations({ database }: Pick<Platform, 'database'>, actor: Actor) {
  return database.db
    .select({ id: conversations.id, status: conversations.status, createdAt: conversations.createdAt, closedAt: conversations.closedAt })
    .from(conversations)
    .innerJoin(conversationMembers, eq(conversationMembers.conversationId, conversations.id))
    .where(eq(conversationMembers.userId, actor.userId))
    .orderBy(desc(conversations.createdAt));
}
