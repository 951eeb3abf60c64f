// Webhook registration refusals over HTTP on Node; the same scenario runs inside workerd.
import { webhookTargetsScenario } from '../scenarios/webhookTargets.scenario';
import { startNodeHarness } from '../support/nodeHarness';

webhookTargetsScenario(startNodeHarness);
