/**
 * @module How a scheduler job works through its due rows: a page at a time (one bounded query and its writes), in
 * the order the rows fell due, until none is left or the tick's budget is spent. Rows the budget leaves stay due
 * and are still the oldest, so the next tick, which starts from the front again, takes exactly those: none starves.
 */

/** What one job may do in one tick; it stops starting pages once either limit is reached. */
export interface WorkBudget {
  /** Rows the job may take (default 10 000). */
  rows?: number;
  /** Wall-clock milliseconds after which it starts no new page (default 15 s). */
  ms?: number;
}

const DEFAULT_ROWS = 10_000;
const DEFAULT_MS = 15_000;

/**
 * Calls `page(limit)` until a page comes back short (nothing due is left) or the budget is spent. `page` takes at
 * most `limit` rows, in due order, and returns how many it took.
 * @returns `exhausted`: the budget ran out first, so due rows may be waiting for the next tick.
 * @example
 * const { exhausted } = await drainInPages(budget, 100, async (limit) => (await takeDue(limit)).length);
 */
export async function drainInPages(budget: WorkBudget, pageSize: number, page: (limit: number) => Promise<number>): Promise<{ exhausted: boolean }> {
  // Wall time, not the services' clock: that one may be a test's manual clock, and the budget bounds real work.
  const until = performance.now() + (budget.ms ?? DEFAULT_MS);
  let rowsLeft = budget.rows ?? DEFAULT_ROWS;
  while (rowsLeft > 0 && performance.now() < until) {
    const limit = Math.min(pageSize, rowsLeft);
    const taken = await page(limit);
    rowsLeft -= taken;
    if (taken < limit) return { exhausted: false };
  }
  return { exhausted: true };
}
