// Atomicity, concurrency and overlapping cron runs inside workerd (D1 batches through the LogSequencer object).
import { atomicityScenario } from '../scenarios/atomicity.scenario';
import { startWorkerHarness } from './workerHarness';

atomicityScenario(startWorkerHarness);
