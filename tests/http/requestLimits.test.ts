// Request bodies and quotas on Node: the scenario shared with workerd (tests/scenarios/requestLimits.scenario.ts).
// tests/http/anonymousBodies.test.ts adds what only a separate Node process shows: its memory under a flood.
import { requestLimitsScenario } from '../scenarios/requestLimits.scenario';
import { startNodeHarness } from '../support/nodeHarness';

requestLimitsScenario(startNodeHarness);
