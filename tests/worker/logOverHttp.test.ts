// The accountability log over HTTP inside workerd, against local D1 and the LogSequencer object; the same scenario runs on Node.
import { logOverHttpScenario } from '../scenarios/logOverHttp.scenario';
import { startWorkerHarness } from './workerHarness';

logOverHttpScenario(startWorkerHarness);
