// The role × route matrix on Node; the same scenario runs inside workerd (tests/worker/roleRouteMatrix.test.ts).
import { roleRouteMatrixScenario } from '../scenarios/roleRouteMatrix.scenario';
import { startNodeHarness } from '../support/nodeHarness';

roleRouteMatrixScenario(startNodeHarness);
