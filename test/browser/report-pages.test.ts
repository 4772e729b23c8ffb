import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { importRuleContent } from '../../src/gathering/rules-import.ts';
import { bearer, request, startTestApp, type TestApp } from '../helpers.ts';
import { ARTEFACTS, browserMissing, launchBrowser, urlMatches, signedIn } from './browser.ts';

const skip = browserMissing();
let app: TestApp;
let browser: Browser;
const ORG = '4242';
const CLUSTER = '5d5892d3-1f74-4ccf-91af-548dfc9767aa';

/** A context signed in as dana of the test org with `scopes`. */
const signedInWith = async (scopes: string[]) => signedIn(browser, await app.token(scopes, ORG, 'dana'));

describe('the console: reports, schedules, tasks and gathering', { skip, timeout: 120_000 }, () => {
  let context: BrowserContext;
  before(async () => {
    app = await startTestApp({ now: () => new Date() });
    browser = await launchBrowser();
    context = await signedInWith(['data-reports:read', 'data-reports:write', 'gathering:read']);
    fs.mkdirSync(ARTEFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('Reports: a job asked for in the form runs to Done, shows its steps and downloads its file', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/reports`);
    await page.getByTestId('quota').getByText('0 of 15').waitFor();
    await page.getByLabel('Name').fill('ops week');
    await page.getByRole('button', { name: 'Ask for the report' }).click();
    const row = page.locator('table[aria-label="Report jobs"] tbody tr').first();
    await row.getByText('Done').waitFor();
    assert.match((await row.textContent()) ?? '', /ops week.*csv.*0 rows/);
    await row.getByRole('button', { name: 'Details' }).click();
    await page.getByText('file written').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const file = fs.readFileSync(await download.path(), 'utf8');
    assert.match(file, /^date,request_id,service,/);
    await page.close();
  });

  test('Reports: a span past the limit is refused with the reason under its field', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/reports`);
    await page.getByLabel('From (inclusive)').fill('2026-01-01');
    await page.getByLabel('To (exclusive)').fill('2026-06-01');
    await page.getByRole('button', { name: 'Ask for the report' }).click();
    await page
      .getByText(/at most 31 days/)
      .first()
      .waitFor();
    await page.close();
  });

  test('Schedules: one created in the form, after a bad address is named, is in the API; its next runs were previewed', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/schedules`);
    await page.getByRole('button', { name: 'New schedule' }).click();
    await page.getByLabel('Name').fill('Weekly for ops');
    await page.getByLabel('Every').selectOption('weekly');
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Rome');
    await page.getByTestId('next-runs').locator('li').nth(4).waitFor();
    assert.equal(await page.getByTestId('next-runs').locator('li').count(), 5);
    assert.match((await page.getByTestId('next-runs').locator('li').first().textContent()) ?? '', /^Mon, .* 00:00 \(Europe\/Rome\)/);
    await page.getByLabel('Send to (one address a line)').fill('ops@example.com\nnot-an-address');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('must be an e-mail address, not "not-an-address"').waitFor();
    await page.getByLabel('Send to (one address a line)').fill('ops@example.com\nlead@example.com');
    await page.getByRole('button', { name: 'Create' }).click();
    const row = page.locator('table[aria-label="Schedules"] tbody tr', { hasText: 'Weekly for ops' });
    await row.waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'schedules.png'), fullPage: true });

    const reader = bearer(await app.token(['data-reports:read'], ORG));
    const { body } = await request(`${app.url}/api/v1/reports/schedules?paginate=false`, { headers: reader });
    const saved = body.data.registries.find((schedule: { name: string }) => schedule.name === 'Weekly for ops');
    assert.deepEqual(
      [saved.schedule, saved.timezone, saved.send_to, saved.type],
      ['weekly', 'Europe/Rome', ['ops@example.com', 'lead@example.com'], 'statuses'],
    );
    assert.match((await row.textContent()) ?? '', /Mon, .* 00:00.*Europe\/Rome/);
    await page.close();
  });

  test('Tasks: a run with no mail server ends Failed, which reads apart from End; the schedule leads to it', async () => {
    const writer = bearer(await app.token(['data-reports:write'], ORG));
    const attrs = {
      name: 'Daily to nowhere',
      type: 'statuses',
      schedule: 'daily',
      timezone: 'UTC',
      send_to: ['ops@example.com'],
      send_via: 'email',
    };
    assert.equal((await request(`${app.url}/api/v1/reports/schedules`, { headers: writer, body: { attrs } })).status, 200);
    // A job asked for directly, which ends.
    const job = { format: 'csv', timespan: { from: '2026-11-01', to: '2026-11-02' } };
    assert.equal((await request(`${app.url}/data/reports/statuses/jobs`, { headers: writer, body: job })).status, 202);
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/schedules`);
    const row = page.locator('table[aria-label="Schedules"] tbody tr', { hasText: 'Daily to nowhere' });
    await row.getByRole('button', { name: 'Run now' }).click();
    await row.getByText('Failed').waitFor();
    await row.getByText('Failed').click();
    await urlMatches(page, /\/ui\/tasks\?task=\d+/);
    await page.getByText(/no SMTP server is configured/).waitFor();
    await page.getByTestId('task-state').getByText('End').first().waitFor();
    const looks = async (state: string) => {
      const label = page.getByTestId('task-state').filter({ hasText: state }).first();
      return [await label.getAttribute('class'), await label.locator('svg').first().innerHTML()];
    };
    const [failed, ended] = [await looks('Failed'), await looks('End')];
    assert.notEqual(failed[0], ended[0], 'Failed and End labels have different colours');
    assert.notEqual(failed[1], ended[1], 'Failed and End labels have different icons');
    await page.close();
  });

  test('Gathering: a cluster its requests, newest first, each opening to its rules by risk', async () => {
    await importRuleContent(app.database.db, [
      { rule_fqdn: 'ccx.rules.nodes', error_key: 'NODES', description: 'Nodes lack memory', total_risk: 3 },
      { rule_fqdn: 'ccx.rules.bug', error_key: 'BUG', description: 'Upgrade stalls', total_risk: 4 },
    ]);
    const results = bearer(await app.token(['results:write']));
    for (const [n, reports] of [
      [1, [{ component: 'ccx.rules.nodes.report', key: 'NODES' }]],
      [
        2,
        [
          { component: 'ccx.rules.nodes.report', key: 'NODES' },
          { component: 'ccx.rules.bug.report', key: 'BUG' },
        ],
      ],
    ] as const) {
      const when = new Date(Date.now() - (3 - n) * 3_600_000).toISOString();
      const body = {
        OrgID: Number(ORG),
        ClusterName: CLUSTER,
        RequestId: `c1${String(n).padStart(30, '0')}`,
        LastChecked: when,
        Metadata: { gathering_time: when },
        Report: { reports },
      };
      assert.equal((await request(`${app.url}/v1/results`, { headers: results, body })).status, 200);
    }
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/gathering`);
    await page.getByRole('textbox', { name: 'Cluster ID' }).fill(CLUSTER);
    await page.getByRole('textbox', { name: 'Cluster ID' }).press('Enter');
    await urlMatches(page, new RegExp(`cluster=${CLUSTER}`));
    const rows = page.locator('table[aria-label="Gathering requests"] > tbody > tr');
    await rows.first().waitFor();
    assert.match((await rows.first().textContent()) ?? '', /c10+2/);
    await rows.first().getByRole('button', { name: 'Details' }).click();
    const rules = page.locator(`table[aria-label="Rules that hit in c1${'0'.repeat(29)}2"] tbody tr`);
    await rules.first().waitFor();
    assert.deepEqual(await rules.allTextContents(), [
      'ccx.rules.bug BUGCriticalUpgrade stalls',
      'ccx.rules.nodes NODESImportantNodes lack memory',
    ]);
    await page.close();
  });

  test('a token without data-reports:read sees the Reports, Schedules and Tasks pages say so', async () => {
    const reader = await signedInWith(['payloads:read']);
    const page = await reader.newPage();
    for (const [path, words] of [
      ['reports', 'Reports need a token with data-reports:read'],
      ['schedules', 'Schedules need a token with data-reports:read'],
      ['tasks', 'Tasks need a token with data-reports:read'],
    ]) {
      await page.goto(`${app.url}/ui/${path}`);
      await page.getByText(words).waitFor();
    }
    await reader.close();
  });
});
