/**
 * @module The only place checkpoints are signed. Before signing a new tree size it checks, against its own record of
 * the last tree it signed (kept outside the database), that the database's tree is a consistent extension of it
 * (RFC 9162 §2.1.4), and refuses loudly otherwise: write access to the database alone gets no rewritten history signed.
 */
import { IntegrityFailure } from '../errors';
import type { Platform } from '../platform';
import type { LogSigner } from './logSigner';
import type { LogWriter } from './logWriter';
import { HistoryRewritten } from './historyRewritten';
import { databaseNodeReader } from './nodeStore';
import type { SignedHead, SignedHeadStore } from './signedHead';
import { newestVerifiedCheckpoint, openCheckpointNote, verifiedCheckpointAt } from './storedCheckpoints';
import { logCheckpoints } from './tables';
import { consistencyProof, equalBytes, formatCheckpoint, rootAt, signNote, verifyConsistency } from './tlog';

export interface CheckpointIssuer {
  /**
   * Signs the database's tree if it is larger than the last one signed and consistent with it, and returns the newest
   * signed head (the recorded one when the tree has not grown). Throws HistoryRewritten when the tree is smaller, has
   * another root at the signed size, or its consistency proof does not verify; nothing is signed then.
   */
  issue(): Promise<SignedHead>;
}

export interface CheckpointIssuerOptions extends Pick<Platform, 'database' | 'clock' | 'logger'> {
  logWriter: LogWriter;
  logSigner: LogSigner;
  /** The signer's record, outside the database. */
  heads: SignedHeadStore;
}

/**
 * @example
 * const checkpoints = createCheckpointIssuer({ database, clock, logger, logWriter, logSigner, heads: signedHeadFile(`${keyPath}.head`) });
 * const head = await checkpoints.issue();
 */
export function createCheckpointIssuer(options: CheckpointIssuerOptions): CheckpointIssuer {
  const { database, clock, logger, logWriter, logSigner, heads } = options;
  // The timer and an on-demand request may race: one issuance at a time here, and `exclusive` across processes.
  let queue: Promise<unknown> = Promise.resolve();

  /** The record as stored, checked: it must be a note this key signed, saying what the record says. */
  async function recordedHead(): Promise<SignedHead | undefined> {
    const head = await heads.read();
    if (!head) return undefined;
    const opened = await openCheckpointNote(head.note, logSigner);
    if ('problem' in opened || opened.size !== head.size || !equalBytes(opened.rootHash, head.rootHash)) {
      throw new IntegrityFailure(`The signer's record (size ${head.size}) is not a checkpoint this log's key signed; refusing to sign until it is restored`);
    }
    return head;
  }

  /** An installation from before the record existed: start from the newest stored checkpoint the key signed. */
  async function headFromDatabase(): Promise<SignedHead | undefined> {
    const { checkpoint } = await newestVerifiedCheckpoint({ database, logger, logSigner });
    if (!checkpoint) return undefined;
    logger.warn(
      { size: checkpoint.size },
      `signer's record initialised from the database's checkpoint of size ${checkpoint.size} (the newest whose signature verifies); from now on the signer checks every new tree against its own record`,
    );
    return { size: checkpoint.size, rootHash: checkpoint.rootHash, note: checkpoint.note, signedAt: checkpoint.createdAt };
  }

  /** The row the readers serve for `head`: put back (and reported) if it was deleted or edited. */
  async function restoreRow(head: SignedHead): Promise<void> {
    const stored = await verifiedCheckpointAt({ database, logger, logSigner }, head.size);
    if (stored && stored.note === head.note) return;
    logger.error({ size: head.size }, `the stored checkpoint of size ${head.size} is missing or differs from the signer's record; restoring it from the record`);
    await upsertRow(head);
  }

  async function upsertRow(head: SignedHead): Promise<void> {
    const row = { size: head.size, rootHash: head.rootHash, note: head.note, createdAt: head.signedAt };
    await database.batch([database.db.insert(logCheckpoints).values(row).onConflictDoUpdate({ target: logCheckpoints.size, set: row })]);
  }

  async function issueNow(): Promise<SignedHead> {
    const recorded = await recordedHead();
    const signed = recorded ?? (await headFromDatabase());
    const size = await logWriter.size();
    const reader = databaseNodeReader(database);
    // Ensure the database did not lose entries the signer already signed.
    if (signed && size < signed.size) throw HistoryRewritten.truncated(signed, size);
    const rootHash = await rootAt(size, reader);
    if (signed && size === signed.size) {
      // Ensure the tree of the signed size is the signed tree.
      if (!equalBytes(rootHash, signed.rootHash)) throw HistoryRewritten.otherRoot(signed, { size, rootHash });
      if (!recorded) await heads.write(signed);
      await restoreRow(signed);
      return signed;
    }
    // Ensure the larger tree contains the signed one unchanged (the proof is computed from the stored nodes).
    if (signed) {
      const proof = await consistencyProof(signed.size, size, reader);
      if (!verifyConsistency({ oldSize: signed.size, newSize: size, oldRoot: signed.rootHash, newRoot: rootHash, proof })) {
        throw HistoryRewritten.inconsistent(signed, { size, rootHash });
      }
    }
    const note = await signNote(formatCheckpoint({ origin: logSigner.name, size, rootHash }), logSigner);
    const head: SignedHead = { size, rootHash, note, signedAt: clock.now() };
    // The record first: a checkpoint is served (from its row) only once the signer has recorded it.
    await heads.write(head);
    await upsertRow(head);
    return head;
  }

  return {
    issue() {
      const run = queue.then(() => heads.exclusive(issueNow));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
