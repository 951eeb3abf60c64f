// An edited checkpoint row inside workerd, against local D1 and the LogSequencer object; the same scenario runs on Node.
import { editedCheckpointRowScenario } from '../scenarios/editedCheckpointRow.scenario';
import { startWorkerHarness } from './workerHarness';

editedCheckpointRowScenario(startWorkerHarness);
