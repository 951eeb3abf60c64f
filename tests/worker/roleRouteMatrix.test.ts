// The role × route matrix inside workerd, against local D1 and Durable Objects; the same scenario runs on Node.
import { roleRouteMatrixScenario } from '../scenarios/roleRouteMatrix.scenario';
import { startWorkerHarness } from './workerHarness';

roleRouteMatrixScenario(startWorkerHarness);
