// The urgent-contact story inside workerd: D1, the LogSequencer and the NCB inbox streams on LiveHub objects; the same
// scenario runs on Node (which adds mail, webhooks and deadlines on a manual clock).
import { urgentContactStoryScenario } from '../scenarios/urgentContactStory.scenario';
import { startWorkerHarness } from './workerHarness';

urgentContactStoryScenario(startWorkerHarness);
