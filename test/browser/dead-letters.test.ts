import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { keepDeadLetters } from '../../src/bus/dead-letters.queries.ts';
import type { BusMessage } from '../../src/bus/bus-source.ts';
import { startTestApp, TEST_NOW, type TestApp } from '../helpers.ts';
import { ARTEFACTS, browserMissing, launchBrowser, urlMatches, signedIn } from './browser.ts';

const skip = browserMissing();
let app: TestApp;
let browser: Browser;

const letter = (sequence: number, body: string): BusMessage => ({
  body: new TextEncoder().encode(body),
  subject: 'platform.payload-status',
  stream: 'PAYLOAD_STATUS',
  sequence,
  deliveries: 1,
  ack: () => {},
  nak: () => {},
});

const event = (index: number) =>
  JSON.stringify({
    request_id: `dead${String(index).padStart(28, '0')}`,
    service: 'ingress',
    status: 'received',
    date: new Date(TEST_NOW.getTime() - 3600_000).toISOString(),
  });

/** A context signed in as dana of the test org with `scopes`. */
const signedInWith = async (scopes: string[]) => signedIn(browser, await app.token(scopes, 'org-1', 'dana'));

const rows = (page: Page) => page.locator('table[aria-label="Dead letters"] > tbody > tr:not(.pf-m-expandable)');

describe('the console: dead letters', { skip, timeout: 90_000 }, () => {
  before(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
    // Kept as the consumer of org-1's bus keeps them: a body that is not JSON, and two events refused for a reason since put right.
    await keepDeadLetters(
      app.database.db,
      [
        { message: letter(1, '{"service": "ingress", "status": '), reason: 'not JSON: Unexpected end of JSON input' },
        { message: letter(2, event(2)), reason: 'org_id belongs to another org than org-9, the only one this bus carries (NATS_ORG_ID)' },
        { message: letter(3, event(3)), reason: 'org_id belongs to another org than org-9, the only one this bus carries (NATS_ORG_ID)' },
      ],
      'org-1',
    );
    fs.mkdirSync(ARTEFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('lists them with the exact total; a filter changes rows and URL; one opened shows its body; replay stores it', async () => {
    const context = await signedInWith(['dead-letters:manage']);
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/dead-letters`);
    await page.getByTestId('total').getByText('3 dead letters').waitFor();
    await page.getByLabel('Reason contains').fill('org_id');
    await page.getByLabel('Reason contains').press('Enter');
    await urlMatches(page, /reason=org_id/);
    await page.getByTestId('total').getByText('2 dead letters').waitFor();
    assert.equal(await rows(page).count(), 2);
    await rows(page)
      .first()
      .getByRole('button', { name: /details|expand|open/i })
      .first()
      .click();
    await page.getByText(/"request_id":"dead0+3"/).waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'dead-letters.png'), fullPage: true });
    await page.getByRole('button', { name: 'Replay the 2 that match' }).click();
    await page.getByText('2 read again: 2 stored, 0 still refused').waitFor();
    await page.getByText('No dead letters match').waitFor();
    const { rows: stored } = await sql<{ n: number }>`select count(*)::int as n from payload_statuses`.execute(app.database.db);
    assert.equal(stored[0].n, 2);
    await context.close();
  });

  test('a token without dead-letters:manage sees the page say so', async () => {
    const context = await signedInWith(['payloads:read']);
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/dead-letters`);
    await page.getByText('Dead letters need a token with dead-letters:manage').waitFor();
    await context.close();
  });
});
