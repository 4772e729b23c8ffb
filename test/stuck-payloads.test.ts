import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

let app: TestApp;
let writer: string;
const minutesAgo = (minutes: number) => new Date(TEST_NOW.getTime() - minutes * 60_000).toISOString();
const id = (n: number) => n.toString(16).padStart(32, '0');

const post = (events: object[]) => request(`${app.url}/v1/statuses`, { headers: bearer(writer), body: events });

before(async () => {
  app = await startTestApp({ env: { TERMINAL_STATUSES: 'Cancelled' } });
  writer = await app.token(['statuses:write']);
  const event = (n: number, service: string, status: string, minutes: number, org = 'o1') => ({
    request_id: id(n),
    org_id: org,
    service,
    status,
    date: minutesAgo(minutes),
  });
  const { status } = await post([
    // Stuck in puptoo for 90 minutes: received by ingress, then processing in puptoo.
    event(1, 'ingress', 'success', 100),
    event(1, 'puptoo', 'processing', 90),
    // Stuck in ingress for 45 minutes, another org.
    event(2, 'ingress', 'received', 45, 'o2'),
    // Quiet for only 10 minutes: not stuck at the default 30m.
    event(3, 'ingress', 'received', 10),
    // Finished: success, error, and a status TERMINAL_STATUSES names.
    event(4, 'ingress', 'received', 120),
    event(4, 'inventory', 'success', 110),
    event(5, 'puptoo', 'error', 200),
    event(6, 'puptoo', 'cancelled', 200),
    // A later-dated status arriving first still counts as the last one.
    event(7, 'inventory', 'processing', 60),
  ]);
  assert.equal(status, 200);
  // ...then an earlier one arrives: it must not become the payload's last status.
  assert.equal((await post([event(7, 'ingress', 'received', 70)])).status, 200);
});
after(() => app.close());

const stuck = (query = '') => request(`${app.url}/v1/stuck-payloads${query}`);

describe('GET /v1/stuck-payloads', () => {
  test('payloads whose last status is not terminal and older than STUCK_AFTER (30m), oldest first, grouped by last service', async () => {
    const { status, body } = await stuck();
    assert.equal(status, 200);
    assert.equal(body.count, 3);
    assert.equal(body.stuck_after_seconds, 1800);
    assert.deepEqual(body.terminal_statuses, ['success', 'error', 'cancelled']);
    assert.deepEqual(
      body.data.map((row: { request_id: string; last_service: string; last_status: string; age_seconds: number }) => [
        row.request_id,
        row.last_service,
        row.last_status,
        row.age_seconds,
      ]),
      [
        [id(1), 'puptoo', 'processing', 5400],
        [id(7), 'inventory', 'processing', 3600],
        [id(2), 'ingress', 'received', 2700],
      ],
    );
    assert.deepEqual(body.groups, [
      { service: 'ingress', count: 1 },
      { service: 'inventory', count: 1 },
      { service: 'puptoo', count: 1 },
    ]);
  });

  test('stuck_after, the last service and the payload filters narrow it; the count stays exact', async () => {
    assert.equal((await stuck('?stuck_after=5m')).body.count, 4);
    assert.equal((await stuck('?stuck_after=80m')).body.count, 1);
    assert.equal((await stuck('?service=PUPTOO')).body.data[0].request_id, id(1));
    const org = await stuck('?org_id=o2');
    assert.deepEqual([org.body.count, org.body.data[0].request_id], [1, id(2)]);
    const paged = await stuck('?page_size=1&page=1&sort_dir=desc');
    assert.deepEqual([paged.body.count, paged.body.data.length, paged.body.data[0].request_id], [3, 1, id(7)]);
  });

  test('a new status moves a payload on: terminal ends it, another non-terminal one starts its wait again', async () => {
    assert.equal(
      (await post([{ request_id: id(1), org_id: 'o1', service: 'puptoo', status: 'success', date: minutesAgo(1) }])).status,
      200,
    );
    assert.equal((await post([{ request_id: id(2), service: 'puptoo', status: 'processing', date: minutesAgo(1) }])).status, 200);
    const { body } = await stuck();
    assert.deepEqual(
      body.data.map((row: { request_id: string }) => row.request_id),
      [id(7)],
    );
  });

  test('a stuck_after that is not a duration is a 400 naming the parameter', async () => {
    const { status, body } = await stuck('?stuck_after=soon');
    assert.equal(status, 400);
    assert.match(body.message, /stuck_after/);
  });
});
