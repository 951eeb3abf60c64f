// The passkey account story inside workerd, against local D1 and Durable Objects; the same scenario runs on Node.
import { passkeyAccountsScenario } from '../scenarios/passkeyAccounts.scenario';
import { startWorkerHarness } from './workerHarness';

passkeyAccountsScenario(startWorkerHarness);
