/** @module Reads stored perfect-subtree hashes in one query, as the NodeReader that proofs and roots are computed from. */
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { NodeId, NodeReader } from './tlog';

export function databaseNodeReader(database: Database): NodeReader {
  return {
    async getNodes(ids: NodeId[]) {
      if (ids.length === 0) return [];
      // One round trip for the whole proof: row-value IN over (level, idx), served by the primary key.
      const values = sql.join(
        ids.map((id) => sql`(${id.level}, ${id.index})`),
        sql`, `,
      );
      const rows = await database.db.all<{ level: number; idx: number; hash: Uint8Array }>(
        sql`select level, idx, hash from log_nodes where (level, idx) in (values ${values})`,
      );
      const byKey = new Map(rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.hash)]));
      return ids.map((id) => {
        const hash = byKey.get(`${id.level}/${id.index}`);
        if (!hash) throw new Error(`log node ${id.level}/${id.index} is missing from storage`);
        return hash;
      });
    },
  };
}
