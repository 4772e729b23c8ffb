import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bearer, request, startTestApp, type TestApp } from '../helpers.ts';
import { ARTEFACTS, browserMissing, launchBrowser, urlMatches } from './browser.ts';

const skip = browserMissing();
let app: TestApp;
let browser: Browser;
let producer: Record<string, string>;

// The console works out "the last 24 hours" from the browser's clock: this app keeps the real one.
const start = Date.now() - 3 * 3_600_000;
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
const TRACKED = 'feed0000000000000000000000000001';
const STUCK = 'feed0000000000000000000000000002';

const post = async (events: object[]) =>
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: producer, body: events })).status, 200);

/**
 * A payload through ingress (success), puptoo (error) and inventory from a
 * source (still processing, so stuck until the Track test ends it); another, of
 * org o2, stuck in puptoo.
 */
async function seed() {
  producer = bearer(await app.token(['statuses:write']));
  await post([
    { request_id: TRACKED, org_id: 'o1', service: 'ingress', status: 'received', date: at(0) },
    { request_id: TRACKED, service: 'ingress', status: 'success', date: at(2) },
    { request_id: TRACKED, service: 'puptoo', status: 'processing', date: at(5), status_msg: 'extracting' },
    { request_id: TRACKED, service: 'puptoo', status: 'error', date: at(20), status_msg: 'not a tar.gz' },
    { request_id: TRACKED, service: 'inventory', source: 'insights-client', status: 'processing', date: at(21) },
    { request_id: STUCK, org_id: 'o2', service: 'ingress', status: 'success', date: at(0) },
    { request_id: STUCK, service: 'puptoo', status: 'processing', date: at(10) },
  ]);
}

const lanes = (page: Page) => page.getByTestId('lane');

describe('the console: track, stuck payloads and success rate', { skip, timeout: 120_000 }, () => {
  before(async () => {
    app = await startTestApp({ now: () => new Date() });
    await seed();
    browser = await launchBrowser();
    fs.mkdirSync(ARTEFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('Track: one bar per service:source in the order they saw it, coloured by the last status; a status posted meanwhile appears live', async () => {
    const page = await browser.newPage();
    // Reached as a person would: the masthead's box takes the dashed form too.
    await page.goto(`${app.url}/ui/payloads`);
    const box = page.getByRole('textbox', { name: 'Track a request ID' });
    await box.fill('feed0000-0000-0000-0000-000000000001');
    await box.press('Enter');
    await urlMatches(page, new RegExp(`/ui/track/${TRACKED}`));
    await page.getByTestId('liveness').getByText('Live').waitFor();
    assert.deepEqual(await lanes(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-service'))), [
      'ingress:undefined',
      'puptoo:undefined',
      'inventory:insights-client',
    ]);
    assert.deepEqual(await lanes(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status'))), [
      'success',
      'error',
      'processing',
    ]);
    // The function runs in the page, where the global object is the window.
    type Styled = { getComputedStyle(element: unknown): { backgroundColor: string } };
    const colours = await page
      .getByTestId('bar')
      .evaluateAll((bars) => bars.map((bar) => (globalThis as unknown as Styled).getComputedStyle(bar).backgroundColor));
    assert.equal(new Set(colours).size, 3, `three different colours: ${colours.join(', ')}`);
    // The error reads as red: more red than green or blue.
    const [red, green, blue] = colours[1].match(/\d+/g)!.map(Number);
    assert.ok(red > green && red > blue, `puptoo's bar is red, not ${colours[1]}`);

    await post([{ request_id: TRACKED, service: 'engine', status: 'success', date: at(30), status_msg: '3 rules hit' }]);
    await page.locator('[data-testid="lane"][data-service="engine:undefined"]').waitFor();
    assert.equal(await lanes(page).count(), 4);
    await page.getByText('6 statuses').waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'track.png'), fullPage: true });
    await page.close();
  });

  test('Stuck: the payload quiet in puptoo is listed with its age and counted in the navigation; it leads to Track', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/ui/stuck?org_id=o2`);
    await page.getByTestId('total').getByText('1 stuck payload').waitFor();
    // The badge counts every stuck payload, and says so to a screen reader.
    const { count } = (await request(`${app.url}/v1/stuck-payloads`)).body;
    assert.equal(await page.getByTestId('stuck-badge').textContent(), `${count}payloads stuck`);
    const row = page.locator('table[aria-label="Stuck payloads"] tbody tr').first();
    assert.match((await row.textContent()) ?? '', /feed0+2.*puptoo.*processing.*2 h 59 min|feed0+2.*puptoo.*processing.*3 h 00 min/);
    await page.getByRole('textbox', { name: 'Quiet for at least' }).fill('4h');
    await page.getByRole('textbox', { name: 'Quiet for at least' }).press('Enter');
    await urlMatches(page, /stuck_after=4h/);
    await page.getByText('No stuck payloads match').waitFor();
    await page.goBack();
    await page.getByRole('link', { name: STUCK }).click();
    await urlMatches(page, new RegExp(`/ui/track/${STUCK}`));
    await page.close();
  });

  test('Success rate: a chart and a table per measure; the lowest bucket opens the statuses behind it', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/ui/success-rate`);
    const table = page.locator('table[aria-label="Success per service"] tbody tr');
    await table.first().waitFor();
    const cells = await table.evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].slice(0, 4).map((cell) => cell.textContent)),
    );
    assert.deepEqual(
      cells.filter(([service]) => service !== 'engine'),
      [
        ['ingress', '2', '0', '100 %'],
        ['puptoo', '0', '1', '0 %'],
      ],
    );
    assert.equal(await page.locator('[aria-label="Success percent per service over time"] svg').count(), 1);
    await page.locator('table[aria-label="Time in service"] tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'success-rate.png'), fullPage: true });
    await table.filter({ hasText: 'puptoo' }).locator('a').click();
    await urlMatches(page, /\/ui\/statuses\?.*service=puptoo/);
    // The bucket's statuses of the service, its error among them.
    await page.getByTestId('count-error').getByText('error: 1').waitFor();
    await page.getByText('3 statuses').waitFor();
    await page.close();
  });
});
