// Webhook registration refusals inside workerd; the same scenario runs on Node.
import { webhookTargetsScenario } from '../scenarios/webhookTargets.scenario';
import { startWorkerHarness } from './workerHarness';

webhookTargetsScenario(startWorkerHarness);
