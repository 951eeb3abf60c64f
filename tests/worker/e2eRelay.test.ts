// The E2E relay inside workerd: D1 queues, R2 attachments, device streams on LiveHub objects; the same scenario runs on Node.
import { e2eRelayScenario } from '../scenarios/e2eRelay.scenario';
import { startWorkerHarness } from './workerHarness';

e2eRelayScenario(startWorkerHarness);
