// Request bodies and quotas inside workerd, counted in RateLimitCounter objects; the same scenario runs on Node. Its
// low limits are vars given to the Worker's fetch handler (see startWorkerHarness), not the suite's bindings.
import { requestLimitsScenario } from '../scenarios/requestLimits.scenario';
import { startWorkerHarness } from './workerHarness';

requestLimitsScenario(startWorkerHarness);
