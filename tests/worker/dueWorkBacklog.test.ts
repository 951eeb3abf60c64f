// The scheduler with a backlog inside workerd (D1, logged writes through the LogSequencer object); the same scenario
// runs on Node.
import { dueWorkBacklogScenario } from '../scenarios/dueWorkBacklog.scenario';
import { startWorkerHarness } from './workerHarness';

dueWorkBacklogScenario(startWorkerHarness);
