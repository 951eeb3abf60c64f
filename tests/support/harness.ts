/**
 * @module What a scenario needs from the runtime it runs on: the server's base URL, a fresh installation's
 * first-admin link, the server's services (to look at the database as an auditor would), and a way to run the
 * scheduler's due work. tests/support/nodeHarness.ts starts a real server on loopback; tests/worker/workerHarness.ts
 * drives the Worker inside workerd. Scenario files (tests/scenarios) take one and run unchanged on both.
 */
import type { DueWorkReport } from '../../src/scheduler/runDueWork';
import type { WorkBudget } from '../../src/storage/drainInPages';
import type { Services } from '../../src/runtime/services';

export interface Harness {
  runtime: 'node' | 'workerd';
  url: string;
  firstAdminUrl: string;
  /** The services of the server under test (the same database it writes). */
  services: Services;
  /**
   * Runs the scheduler's due work once; `at` runs it as if the clock read that time (escalation windows), `budget`
   * bounds what each job may do in this tick.
   */
  runDueWork(options?: { at?: number; budget?: WorkBudget }): Promise<DueWorkReport>;
  /** Runs raw SQL on the server's database (DDL for fault injection: a trigger that fails one statement). */
  execute(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * Settings of the server under test, by their environment names (README): the environment on Node, the Worker's
   * vars on workerd. A scenario sets low limits this way to reach them in a few requests.
   */
  env?: Record<string, string>;
}

export type StartHarness = (options?: HarnessOptions) => Promise<Harness>;
