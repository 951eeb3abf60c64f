// Missing and forbidden objects answer alike, on Node: the scenario shared with workerd (tests/scenarios/missingOrForbidden.scenario.ts).
import { missingOrForbiddenScenario } from '../scenarios/missingOrForbidden.scenario';
import { startNodeHarness } from '../support/nodeHarness';

missingOrForbiddenScenario(startNodeHarness);
