import { launchBrowser } from './chromium.ts';

/**
 * How long the console's Payloads page takes to show its first page of rows
 * and the exact total, as a new visitor sees it: a fresh browser profile (no
 * cache), from navigation to the total on screen. The median of `rounds`.
 */
export async function benchConsolePaint(url: string, rounds: number): Promise<{ medianMs: number; firstContentfulPaintMs: number }> {
  const browser = await launchBrowser();
  const totals: number[] = [];
  const paints: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(`${url}/ui/payloads`, { waitUntil: 'commit' });
      await page.getByTestId('total').waitFor({ timeout: 30_000 });
      totals.push(performance.now() - start);
      paints.push(await page.evaluate('(performance.getEntriesByName("first-contentful-paint")[0] ?? { startTime: NaN }).startTime'));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { medianMs: median(totals), firstContentfulPaintMs: median(paints) };
}
