/**
 * @module The log writer every isolate uses on Workers: it hands the events and their business statements (as SQL
 * text) to the one LogSequencer object, which appends the leaves and commits everything in one D1 batch. So the
 * tree has one writer however many isolates serve requests.
 */
import type { LogWriter } from '../../audit-log/logWriter';
import { Invalid } from '../../errors';
import type { D1StorageDatabase } from '../../storage/d1Database';
import type { LogSequencer } from './logSequencer';

/** The name of the single LogSequencer object. */
export const LOG_SEQUENCER_NAME = 'log';

export function remoteLogWriter(namespace: DurableObjectNamespace<LogSequencer>, database: D1StorageDatabase): LogWriter {
  const sequencer = () => namespace.get(namespace.idFromName(LOG_SEQUENCER_NAME));
  return {
    async commit(events, statements = []) {
      const answer = await sequencer().commit(events as never, statements.map(database.toRaw));
      if ('refused' in answer) throw answer.invalid ? new Invalid(answer.refused, answer.invalid.field ?? undefined) : new Error(answer.refused);
      return answer.committed;
    },
    async size() {
      return sequencer().size();
    },
  };
}
