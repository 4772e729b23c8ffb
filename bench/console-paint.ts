import { launchBrowser } from './chromium.ts';

/**
 * Run in the page before its own scripts: notes, on the page's clock (0 is
 * the start of navigation), the first frame painted with the list's exact
 * total on screen. The total is shown with the rows, from the same answer.
 */
const NOTE_TOTAL_PAINTED = `
  new MutationObserver((_changes, observer) => {
    if (!document.querySelector('[data-testid="total"]')) return;
    observer.disconnect();
    // The frame that draws it runs after this callback; its paint is done by the next task.
    requestAnimationFrame(() => setTimeout(() => { window.totalPaintedAt = performance.now(); }));
  }).observe(document, { childList: true, subtree: true });
`;

export interface ConsolePaint {
  /** From the start of navigation to the first frame with rows and total, as the page's clock says. */
  medianMs: number;
  firstContentfulPaintMs: number;
  /** The same seen from outside: from asking the browser to navigate, so with its start of a new tab's process. */
  wallMedianMs: number;
}

/**
 * How long the console's Payloads page takes to show its first page of rows
 * and the exact total, as a new visitor sees it: a fresh browser profile (no
 * cache) each round. The median of `rounds`.
 */
export async function benchConsolePaint(url: string, rounds: number): Promise<ConsolePaint> {
  const browser = await launchBrowser();
  const painted: number[] = [];
  const contentful: number[] = [];
  const wall: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const context = await browser.newContext();
      await context.addInitScript(NOTE_TOTAL_PAINTED);
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(`${url}/ui/payloads`, { waitUntil: 'commit' });
      await page.waitForFunction('window.totalPaintedAt !== undefined', undefined, { timeout: 30_000 });
      wall.push(performance.now() - start);
      painted.push(Number(await page.evaluate('window.totalPaintedAt')));
      contentful.push(await page.evaluate('(performance.getEntriesByName("first-contentful-paint")[0] ?? { startTime: NaN }).startTime'));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { medianMs: median(painted), firstContentfulPaintMs: median(contentful), wallMedianMs: median(wall) };
}
