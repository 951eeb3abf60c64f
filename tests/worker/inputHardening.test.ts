// Issue 17's input hardening inside workerd (D1, R2, Durable Objects): the same scenario as on Node.
import { inputHardeningScenario } from '../scenarios/inputHardening.scenario';
import { startWorkerHarness } from './workerHarness';

inputHardeningScenario(startWorkerHarness);
