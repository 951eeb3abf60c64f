// Issue 17's input hardening on Node: the scenario shared with workerd (tests/scenarios/inputHardening.scenario.ts).
import { inputHardeningScenario } from '../scenarios/inputHardening.scenario';
import { startNodeHarness } from '../support/nodeHarness';

inputHardeningScenario(startNodeHarness);
