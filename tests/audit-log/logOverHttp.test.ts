// The accountability log over HTTP on Node; the same scenario runs inside workerd (tests/worker/logOverHttp.test.ts).
import { logOverHttpScenario } from '../scenarios/logOverHttp.scenario';
import { startNodeHarness } from '../support/nodeHarness';

logOverHttpScenario(startNodeHarness);
