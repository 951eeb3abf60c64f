// Sending over the device stream inside workerd, where the stream lives in its LiveHub object; the same scenario runs
// on Node. The objects read the suite's bindings, not a harness's vars, so the budget is spent in its counter directly.
import { streamSendScenario } from '../scenarios/streamSend.scenario';
import { startWorkerHarness, workerEnv } from './workerHarness';

streamSendScenario(startWorkerHarness, {
  async spendSendBudget(server, _client, userId) {
    // The budget the stream's object counts against: the HTTP route's, in the RateLimitCounter named for it.
    const options = { limit: server.services.config.sendRatePerMinute, windowMs: 60_000, what: 'messages sent' };
    const counter = workerEnv.LIMITS.get(workerEnv.LIMITS.idFromName(`${options.what}:${userId}`));
    for (;;) if (!(await counter.hit(userId, options)).ok) return;
  },
});
