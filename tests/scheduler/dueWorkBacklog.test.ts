// The scheduler with a backlog on Node (real server, SQLite); the same scenario runs inside workerd.
import { startNodeHarness } from '../support/nodeHarness';
import { dueWorkBacklogScenario } from '../scenarios/dueWorkBacklog.scenario';

dueWorkBacklogScenario(startNodeHarness);
