/** @module The signer's refusal: the tree in the database is not a consistent extension of the last one it signed. */
import { toBase64 } from '../crypto/base64url';
import { IntegrityFailure } from '../errors';

interface Tree {
  size: number;
  rootHash: Uint8Array;
}

const REFUSAL = 'refusing to sign it; restore the database from a backup that matches the signed log';

/** Thrown, never signed: each message names the sizes and roots of both the signed tree and the database's. */
export class HistoryRewritten extends IntegrityFailure {
  /** The database holds fewer entries than the signer already signed. */
  static truncated(signed: Tree, databaseSize: number): HistoryRewritten {
    return new HistoryRewritten(
      `The database's log holds ${databaseSize} entries, fewer than the ${signed.size} already signed (root ${toBase64(signed.rootHash)}): ` +
        `its history was truncated or rewritten; ${REFUSAL}`,
    );
  }

  /** The database's tree has the signed size but another root. */
  static otherRoot(signed: Tree, database: Tree): HistoryRewritten {
    return new HistoryRewritten(
      `The database's tree of size ${database.size} has root ${toBase64(database.rootHash)}, but the signed tree of that size has root ` +
        `${toBase64(signed.rootHash)}: its history was rewritten; ${REFUSAL}`,
    );
  }

  /** The consistency proof from the signed tree to the database's larger one does not verify. */
  static inconsistent(signed: Tree, database: Tree): HistoryRewritten {
    return new HistoryRewritten(
      `The database's tree of size ${database.size} (root ${toBase64(database.rootHash)}) is not a consistent extension of the signed tree ` +
        `of size ${signed.size} (root ${toBase64(signed.rootHash)}): its history was rewritten; ${REFUSAL}`,
    );
  }
}
