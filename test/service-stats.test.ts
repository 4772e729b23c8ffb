import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { serviceTimes } from '../src/payloads/service-stats.ts';
import { POSTGRES_PLANS, withExplainedPlans } from './explained.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

let app: TestApp;
const at = (minutesAgo: number, seconds = 0) => new Date(TEST_NOW.getTime() - minutesAgo * 60_000 + seconds * 1000).toISOString();
const id = (n: number) => n.toString(16).padStart(32, '0');

before(async () => {
  app = await startTestApp();
  const events = [];
  // Ten payloads 3 hours ago: puptoo takes n seconds for payload n, and fails the odd ones.
  for (let n = 1; n <= 10; n += 1) {
    events.push(
      { request_id: id(n), org_id: n <= 5 ? 'small' : 'big', service: 'puptoo', status: 'received', date: at(180) },
      { request_id: id(n), service: 'puptoo', status: n % 2 ? 'error' : 'success', date: at(180, n) },
    );
  }
  // In the last two hours: two ingress successes an hour apart.
  events.push(
    { request_id: id(11), service: 'ingress', status: 'success', date: at(90) },
    { request_id: id(12), service: 'ingress', status: 'success', date: at(30) },
  );
  const { status } = await request(`${app.url}/v1/statuses`, { headers: bearer(await app.token(['statuses:write'])), body: events });
  assert.equal(status, 200);
});
after(() => app.close());

const get = (path: string) => request(`${app.url}/v1/stats/${path}`);

describe('GET /v1/stats/success-series', () => {
  test('over the last 24 hours by default: hourly buckets from the summaries, each with its success share', async () => {
    const { status, body } = await get('success-series');
    assert.equal(status, 200);
    assert.equal(body.bucket_seconds, 3600);
    assert.equal(body.to, TEST_NOW.toISOString());
    assert.deepEqual(
      body.data.map((series: { service: string }) => series.service),
      ['ingress', 'puptoo'],
    );
    const puptoo = body.data[1].points;
    assert.deepEqual(puptoo, [{ at: '2026-11-26T09:00:00.000000Z', success: 5, error: 5, success_percent: 50 }]);
    assert.deepEqual(
      body.data[0].points.map((point: { success: number }) => point.success),
      [1, 1],
    );
  });

  test('two hours are counted from the statuses, by 5 minutes; service narrows it', async () => {
    const { body } = await get(`success-series?from=${at(120)}&to=${TEST_NOW.toISOString()}&service=INGRESS`);
    assert.equal(body.bucket_seconds, 300);
    assert.deepEqual(
      body.data[0].points.map((point: { at: string }) => point.at),
      ['2026-11-26T10:30:00.000000Z', '2026-11-26T11:30:00.000000Z'],
    );
    assert.equal(body.data.length, 1);
  });

  test('a range that ends before it starts, or that is longer than 366 days, is a 400', async () => {
    assert.equal((await get(`success-series?from=${at(0)}&to=${at(60)}`)).status, 400);
    const long = await get(`success-series?from=2020-01-01T00:00:00Z&to=${at(0)}`);
    assert.equal(long.status, 400);
    assert.match(long.body.message, /366 days/);
    const past = await get('success-series?to=0001-01-01T00:00:00Z');
    assert.deepEqual([past.status, past.body.message], [400, 'from: must be between 1970 and 9998']);
  });
});

describe('GET /v1/stats/service-times', () => {
  test("each service's median and 95th percentile time, over the payloads created in the range", async () => {
    const { status, body } = await get('service-times');
    assert.equal(status, 200);
    assert.equal(body.sampled_payloads, 12);
    const puptoo = body.data.find((row: { service: string }) => row.service === 'puptoo');
    // Spans of 1..10 seconds: the median is 5.5, the 95th percentile 9.55 (linear interpolation).
    assert.deepEqual(puptoo, { service: 'puptoo', payloads: 10, p50_seconds: 5.5, p95_seconds: 9.55 });
  });

  test(
    "reads the statuses only from the partition of the sample's oldest payload on (PostgreSQL, as auto_explain shows)",
    { skip: POSTGRES_PLANS },
    async () => {
      // Ten days of partitions before the payloads' day, all inside a week-long range.
      const days = Array.from({ length: 13 }, (_, index) => new Date(Date.UTC(2026, 10, 16 + index)).toISOString().slice(0, 10));
      await new PartitionKeeper(app.database.db).ensure(days);
      const range = { from: new Date(TEST_NOW.getTime() - 7 * 86_400_000).toISOString(), to: TEST_NOW.toISOString() };
      const { result, plans } = await withExplainedPlans(app.database, (db) => serviceTimes(db, range, {}));
      assert.equal(result.sampled, 12);
      // Partitions the plan removed at executor start are not in it; those it kept but never scanned say so.
      const scanned = plans
        .flatMap((plan) => plan.split('\n'))
        .filter((line) => !line.includes('never executed'))
        .flatMap((line) => line.match(/payload_statuses_p\d{8}/g) ?? []);
      assert.deepEqual([...new Set(scanned)].sort(), [
        'payload_statuses_p20261126',
        'payload_statuses_p20261127',
        'payload_statuses_p20261128',
      ]);
    },
  );

  test('runs without JIT compilation, which cost more than this lookup (PostgreSQL)', { skip: POSTGRES_PLANS }, async () => {
    const { rows } = await sql<{ jit: string }>`show jit`.execute(app.database.db);
    assert.equal(rows[0].jit, 'off');
  });

  test('a reader limited to one org measures only its payloads', async () => {
    const limited = await startTestApp({ env: { READ_ACCESS: 'authenticated', IDENTITY_HEADER: 'ignore' } });
    try {
      const token = await limited.token(['statuses:write']);
      const body = [1, 2, 3].flatMap((n) => [
        { request_id: id(n), org_id: n === 3 ? 'big' : 'small', service: 'puptoo', status: 'received', date: at(180) },
        { request_id: id(n), service: 'puptoo', status: 'success', date: at(180, n * 10) },
      ]);
      assert.equal((await request(`${limited.url}/v1/statuses`, { headers: bearer(token), body })).status, 200);
      const reader = bearer(await limited.token(['payloads:read'], 'small'));
      const times = await request(`${limited.url}/v1/stats/service-times`, { headers: reader });
      assert.deepEqual(times.body.data, [{ service: 'puptoo', payloads: 2, p50_seconds: 15, p95_seconds: 19.5 }]);
      const series = await request(`${limited.url}/v1/stats/success-series`, { headers: reader });
      assert.equal(series.body.data[0].points[0].success, 2);
    } finally {
      await limited.close();
    }
  });
});
