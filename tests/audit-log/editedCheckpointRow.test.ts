// An edited checkpoint row on Node; the same scenario runs inside workerd (tests/worker/editedCheckpointRow.test.ts).
import { editedCheckpointRowScenario } from '../scenarios/editedCheckpointRow.scenario';
import { startNodeHarness } from '../support/nodeHarness';

editedCheckpointRowScenario(startNodeHarness);
