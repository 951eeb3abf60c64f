/**
 * @module Encrypted attachments: opaque blobs a member's client uploads to a conversation; the key that opens
 * one travels only inside an E2E envelope. Members of the conversation may download them.
 */
import { eq } from 'drizzle-orm';
import type { Actor } from '../directory/actor';
import { Invalid, NotFound, PayloadTooLarge } from '../errors';
import type { Platform } from '../platform';
import { requireMembership } from './conversations';
import { blobs } from './tables';

/** A blob is at least a 24-byte nonce plus a 16-byte tag: anything shorter cannot be our ciphertext. */
const MIN_BLOB_BYTES = 40;

export async function uploadAttachment(
  services: Pick<Platform, 'database' | 'clock' | 'config'>,
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
  await services.database.batch([
    services.database.db.insert(blobs).values({
      id,
      conversationId: input.conversationId,
      uploaderUserId: input.actor.userId,
      data: input.data,
      size: input.data.byteLength,
      createdAt: services.clock.now(),
    }),
  ]);
  return { id, size: input.data.byteLength };
}

export async function downloadAttachment(services: Pick<Platform, 'database'>, input: { actor: Actor; id: string }): Promise<Uint8Array> {
  const [row] = await services.database.db.select().from(blobs).where(eq(blobs.id, input.id));
  if (!row) throw new NotFound(`No attachment with id ${input.id} (it may have expired)`);
  await requireMembership(services, input.actor, row.conversationId);
  return new Uint8Array(row.data);
}
