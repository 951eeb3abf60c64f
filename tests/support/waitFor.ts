/** @module Polls until a condition holds (a live push arrived), failing with what was awaited after `ms`. */
export function waitFor<T>(predicate: () => T | undefined, what: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = predicate();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
