/**
 * How long one statement of background work (a report's batch, a retention
 * step, a purge) is meant to take. The embedded database runs a statement on
 * the event loop, and every other query waits behind it, /v1/health's
 * included; work sized to this lets the API through between its statements.
 * Sizes follow from what the last statement took, waiting behind the API
 * included, so a busy database gets smaller steps.
 */
const STATEMENT_BUDGET_MS = 40;

/** The next step's size: the rows `tookMs` handled, scaled to the budget, at most doubled, within 10 and `most`. */
export function nextBatchSize(rows: number, tookMs: number, most: number): number {
  const fitting = Math.floor((rows * STATEMENT_BUDGET_MS) / Math.max(tookMs, 1));
  return Math.max(Math.min(10, most), Math.min(fitting, rows * 2, most));
}

/**
 * Runs `step(limit)` (which handles at most `limit` rows and says how many it
 * did) until a step handles fewer than asked; each step is sized to the
 * budget from the last, starting at `first`. Returns the rows handled in all.
 */
export async function inBudgetedSteps(step: (limit: number) => Promise<number>, { first = 100, most }: { first?: number; most: number }) {
  let handled = 0;
  for (let limit = Math.min(first, most); ;) {
    const started = performance.now();
    const rows = await step(limit);
    handled += rows;
    if (rows < limit) return handled;
    limit = nextBatchSize(rows, performance.now() - started, most);
  }
}
