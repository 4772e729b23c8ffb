import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from '../helpers.ts';
import { ARTEFACTS, browserMissing, launchBrowser, urlMatches } from './browser.ts';

const skip = browserMissing();
let app: TestApp;
let browser: Browser;

/** Twenty-five payloads, one a minute, in two accounts and three orgs. */
async function seed() {
  const producer = bearer(await app.token(['statuses:write']));
  const events = Array.from({ length: 25 }, (_, index) => ({
    request_id: `c0ffee${String(index).padStart(26, '0')}`,
    service: 'ingress',
    status: 'received',
    account: index % 2 ? 'odd' : 'even',
    org_id: `org${index % 3}`,
    date: new Date(TEST_NOW.getTime() - (index + 1) * 60_000).toISOString(),
  }));
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: producer, body: events })).status, 200);
}

const rows = (page: Page) => page.locator('table[aria-label="Payloads"] tbody tr');

describe('the console: payloads and statuses', { skip, timeout: 120_000 }, () => {
  before(async () => {
    app = await startTestApp();
    await seed();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('/ opens the console on the payload list: the exact total, a page of rows, newest first', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await urlMatches(page, /\/ui\/payloads/);
    await page.getByTestId('total').waitFor();
    assert.equal(await page.getByTestId('total').textContent(), '25 payloads');
    assert.equal(await rows(page).count(), 20);
    assert.match((await rows(page).first().textContent()) ?? '', /c0ffee0{25}0/);
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTEFACTS, 'payloads.png'), fullPage: true });
    await page.close();
  });

  test('sorting, filtering and paging change the rows and the URL; back returns', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/ui/payloads`);
    await page.getByTestId('total').waitFor();
    // Counts by last status filter the list: all 25 were last seen received.
    await page.getByTestId('count-received').getByText('received: 25').click();
    await urlMatches(page, /last_status=received/);
    await page.getByTestId('count-received').click();
    await page.getByTestId('count-error').getByText('error: 0').waitFor();
    await page.getByRole('button', { name: 'Account' }).click();
    await urlMatches(page, /sort_by=account/);
    await page.getByRole('textbox', { name: 'Account' }).fill('odd');
    await page.getByRole('textbox', { name: 'Account' }).press('Enter');
    await urlMatches(page, /account=odd/);
    await page.getByText('12 payloads').waitFor();
    assert.equal(await rows(page).count(), 12);
    // The CSV holds the whole filter, a header and a line per payload.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const csv = fs
      .readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    assert.equal(csv.length, 13);
    assert.equal(csv[0], 'id,request_id,created_at,account,org_id');
    assert.ok(csv.slice(1).every((line) => line.includes(',odd,')));
    await page.goBack();
    await page.getByText('25 payloads').waitFor();
    await page.getByRole('button', { name: 'Go to next page' }).first().click();
    await urlMatches(page, /page=1/);
    // The first page's rows stay on screen until the second page's arrive (no flicker), so wait for those.
    await rows(page).nth(5).waitFor({ state: 'detached' });
    assert.equal(await rows(page).count(), 5);
    // The data is dated days before the browser's clock: the last hour holds none of it.
    await page.getByRole('button', { name: '1 hour' }).click();
    await urlMatches(page, /last=1h/);
    await page.getByText('No payloads match').waitFor();
    await page.close();
  });

  test('statuses: the navigation leads there; a status filter and a sort change the rows and the URL', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/ui/payloads`);
    await page.getByRole('link', { name: 'Statuses' }).click();
    await urlMatches(page, /\/ui\/statuses/);
    await page.getByText('25 statuses').waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'statuses.png'), fullPage: true });
    await page.getByRole('textbox', { name: 'Request ID', exact: true }).fill(`c0ffee${'0'.repeat(24)}07`);
    await page.getByRole('textbox', { name: 'Request ID', exact: true }).press('Enter');
    await urlMatches(page, /request_id=c0ffee0+07/);
    await page.getByText('1 status', { exact: true }).waitFor();
    assert.match((await page.locator('table[aria-label="Statuses"] tbody tr').first().textContent()) ?? '', /ingress.*received/);
    await page.close();
  });

  test('with READ_ACCESS=authenticated, a token without payloads:read sees the page say so; one with it signs in and reads', async () => {
    const closed = await startTestApp({ env: { READ_ACCESS: 'authenticated', IDENTITY_HEADER: 'ignore' } });
    try {
      const page = await browser.newPage();
      await page.goto(`${closed.url}/ui/sign-in`);
      await page.getByLabel('Bearer token').fill(await closed.token(['data-reports:read'], 'org-7', 'viewer'));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('Reading payloads needs a token with payloads:read').waitFor();
      assert.match((await page.getByTestId('session').textContent()) ?? '', /viewer · org org-7 \(token\)/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Bearer token').fill(await closed.token(['payloads:read'], 'org-7', 'reader'));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('No payloads match').waitFor();
      await page.close();
    } finally {
      await closed.close();
    }
  });
});
