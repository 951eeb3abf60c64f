/**
 * @module Encrypted attachments: opaque blobs a member's client uploads to a conversation; the key that opens
 * one travels only inside an E2E envelope. Members of the conversation may download them.
 */
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { Invalid, NotFound, PayloadTooLarge } from '../errors';
import type { Platform } from '../platform';
import type { AttachmentStore } from './attachmentStore';
import { requireMembership } from './conversations';
import { blobs, conversationMembers } from './tables';

/** A blob is at least a 24-byte nonce plus a 16-byte tag: anything shorter cannot be our ciphertext. */
const MIN_BLOB_BYTES = 40;

type AttachmentServices = Pick<Platform, 'database' | 'clock' | 'config'> & { attachments: AttachmentStore };

export async function uploadAttachment(
  services: AttachmentServices,
  input: { actor: Actor; conversationId: string; data: Uint8Array },
): Promise<{ id: string; size: number }> {
  const { config } = services;
  if (input.data.byteLength > config.maxAttachmentBytes) {
    throw new PayloadTooLarge(
      `The attachment is ${input.data.byteLength} bytes once encrypted; the limit is ${config.maxAttachmentBytes} bytes (${config.maxAttachmentBytes / 1_048_576} MiB)`,
    );
  }
  if (input.data.byteLength < MIN_BLOB_BYTES) throw new Invalid('This is not an encrypted attachment (too short)', 'body');
  await requireMembership(services, input.actor, input.conversationId, { open: true });
  const id = crypto.randomUUID();
  const data = await services.attachments.put(id, input.data);
  try {
    await services.database.batch([
      services.database.db.insert(blobs).values({
        id,
        conversationId: input.conversationId,
        uploaderUserId: input.actor.userId,
        data,
        size: input.data.byteLength,
        createdAt: services.clock.now(),
      }),
    ]);
  } catch (error) {
    // No row, no attachment: bytes stored outside the database must not outlive the failed write.
    await services.attachments.erase([id]).catch(() => undefined);
    throw error;
  }
  return { id, size: input.data.byteLength };
}

export async function downloadAttachment(
  services: Pick<Platform, 'database'> & { attachments: AttachmentStore },
  input: { actor: Actor; id: string },
): Promise<Uint8Array> {
  // One read scoped to the actor's conversations: an attachment of someone else's conversation answers exactly as a
  // missing one, and its conversation is never named.
  const [row] = await services.database.db
    .select({ id: blobs.id, data: blobs.data })
    .from(blobs)
    .innerJoin(conversationMembers, and(eq(conversationMembers.conversationId, blobs.conversationId), eq(conversationMembers.userId, input.actor.userId)))
    .where(eq(blobs.id, input.id));
  if (!row) throw new NotFound(`You have no attachment with id ${input.id} (it may have expired)`);
  const data = await services.attachments.get(row.id, new Uint8Array(row.data));
  if (!data) throw new NotFound(`The attachment ${input.id} has no stored content (it may have expired)`);
  return data;
}
