// Sending over the device stream on Node: the scenario shared with workerd (tests/scenarios/streamSend.scenario.ts),
// with a send budget small enough to spend over HTTP in a moment.
import { streamSendScenario } from '../scenarios/streamSend.scenario';
import { startNodeHarness } from '../support/nodeHarness';

streamSendScenario((options) => startNodeHarness({ ...options, env: { EXIGENT_SEND_RATE_PER_MINUTE: '80', ...options?.env } }));
