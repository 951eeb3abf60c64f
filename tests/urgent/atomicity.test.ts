// Atomicity, concurrency and overlapping scheduler runs on Node; the same scenario runs inside workerd.
import { atomicityScenario } from '../scenarios/atomicity.scenario';
import { startNodeHarness } from '../support/nodeHarness';

atomicityScenario(startNodeHarness);
