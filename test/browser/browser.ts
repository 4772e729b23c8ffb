import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

// The browser the tests drive is the one the bench drives.
export { browserMissing, launchBrowser } from '../../bench/chromium.ts';

/** Where the tests save screenshots for a person to look at. */
export const ARTEFACTS = path.join(import.meta.dirname, '..', '..', 'test-artefacts');

/** A browser context signed in with `token`, as the sign-in page would leave it (kept for the tab's session). */
export async function signedIn(browser: Browser, token: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(`sessionStorage.setItem('tracker.token', ${JSON.stringify(token)})`);
  return context;
}

/** Waits for the address bar to match: the console changes it without a page load. */
export const urlMatches = (page: Page, pattern: RegExp) =>
  // Run in the page, where `location` is the address bar.
  page.waitForFunction(`new RegExp(${JSON.stringify(pattern.source)}).test(location.href)`);
