/** @module Attachments' ciphertext in R2 on Workers, one object per attachment id (see src/relay/attachmentStore.ts). */
import type { AttachmentStore } from '../../relay/attachmentStore';

const EMPTY = new Uint8Array(0);
/** R2's delete takes at most 1000 keys per call. */
const DELETE_CHUNK = 1000;

export function r2AttachmentStore(bucket: R2Bucket): AttachmentStore {
  return {
    async put(id, data) {
      await bucket.put(id, data, { httpMetadata: { contentType: 'application/octet-stream' } });
      return EMPTY;
    },
    async get(id) {
      const object = await bucket.get(id);
      return object ? new Uint8Array(await object.arrayBuffer()) : undefined;
    },
    async erase(ids) {
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) await bucket.delete(ids.slice(i, i + DELETE_CHUNK) as string[]);
    },
  };
}
