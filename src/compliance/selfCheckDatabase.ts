/**
 * @module The whole database self-check: the log's own (every leaf, node and checkpoint, src/audit-log/selfCheck.ts)
 * and then the urgent contact records against the signed justifications in it. `verify-log --db`, backup and
 * restore run this.
 */
import { selfCheckLog, type SelfCheckReport } from '../audit-log/selfCheck';
import type { NoteVerifier } from '../audit-log/tlog';
import type { Platform } from '../platform';
import { checkContactsAgainstLog } from './checkContactsAgainstLog';

export interface DatabaseSelfCheckReport extends SelfCheckReport {
  /** Urgent contact rows compared with their opening leaves. */
  contactsChecked: number;
}

/**
 * @example
 * const report = await selfCheckDatabase(services, services.logSigner);
 * if (!report.ok) for (const problem of report.problems) console.log(`FAIL ${problem}`);
 */
export async function selfCheckDatabase(services: Pick<Platform, 'database'>, verifier: NoteVerifier): Promise<DatabaseSelfCheckReport> {
  const log = await selfCheckLog(services, verifier);
  const contacts = await checkContactsAgainstLog(services);
  const problems = [...log.problems, ...contacts.problems];
  return { ...log, ok: problems.length === 0, problems, contactsChecked: contacts.contactsChecked };
}
