// C2SP tlog-tiles to the letter over HTTP inside workerd, against local D1 and the LogSequencer object; the same scenario runs on Node.
import { tlogTilesScenario } from '../scenarios/tlogTiles.scenario';
import { startWorkerHarness } from './workerHarness';

tlogTilesScenario(startWorkerHarness);
