// Missing and forbidden objects answer alike inside workerd (D1, R2, Durable Objects): the same scenario as on Node.
import { missingOrForbiddenScenario } from '../scenarios/missingOrForbidden.scenario';
import { startWorkerHarness } from './workerHarness';

missingOrForbiddenScenario(startWorkerHarness);
