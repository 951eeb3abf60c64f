// Live streams and their sessions inside workerd, on LiveHub objects; the same scenario runs on Node.
import { liveStreamsScenario } from '../scenarios/liveStreams.scenario';
import { startWorkerHarness } from './workerHarness';

liveStreamsScenario(startWorkerHarness);
