/**
 * @module Where the ciphertext of attachments lives. On Node it is the `data` column of the attachment's row, so
 * the bytes commit with the row; on Workers it is an R2 object named by the attachment id (D1 rows are capped at
 * a few MB and R2 is made for blobs), and the row's `data` is left empty. Either way the row is the record: who
 * uploaded what size to which conversation, when, and what retention erases.
 */
export interface AttachmentStore {
  /** Stores the bytes of a new attachment; returns what the row's `data` column holds. */
  put(id: string, data: Uint8Array): Promise<Uint8Array>;
  /** The bytes of an attachment, from its row's `data` or the store; undefined when they are gone. */
  get(id: string, rowData: Uint8Array): Promise<Uint8Array | undefined>;
  /** Erases the bytes of attachments whose rows were deleted (a no-op where the bytes are the row). */
  erase(ids: readonly string[]): Promise<void>;
}

/** The bytes are the row's `data` column (the embedded SQLite database). */
export const inRowAttachmentStore: AttachmentStore = {
  put: async (_id, data) => data,
  get: async (_id, rowData) => rowData,
  erase: async () => {},
};
