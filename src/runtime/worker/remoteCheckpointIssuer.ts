/**
 * @module Checkpoint issuance as every isolate sees it on Workers: it asks the one LogSequencer object, which holds
 * the signer's record and is the only place a checkpoint is signed. A refusal comes back as `{ refused }` and is
 * thrown here as the same IntegrityFailure the object found, so the HTTP answer is the same as on Node.
 */
import type { CheckpointIssuer } from '../../audit-log/checkpointIssuer';
import { HistoryRewritten } from '../../audit-log/historyRewritten';
import { IntegrityFailure } from '../../errors';
import type { LogSequencer } from './logSequencer';
import { LOG_SEQUENCER_NAME } from './remoteLogWriter';

export function remoteCheckpointIssuer(namespace: DurableObjectNamespace<LogSequencer>): CheckpointIssuer {
  return {
    async issue() {
      const answer = await namespace.get(namespace.idFromName(LOG_SEQUENCER_NAME)).issueCheckpoint();
      if ('refused' in answer) throw answer.historyRewritten ? new HistoryRewritten(answer.refused) : new IntegrityFailure(answer.refused);
      return answer.issued;
    },
  };
}
