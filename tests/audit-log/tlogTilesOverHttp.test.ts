// C2SP tlog-tiles to the letter over HTTP on Node; the same scenario runs inside workerd (tests/worker/tlogTiles.test.ts).
import { tlogTilesScenario } from '../scenarios/tlogTiles.scenario';
import { startNodeHarness } from '../support/nodeHarness';

tlogTilesScenario(startNodeHarness);
