import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { POSTGRES_PLANS, withExplainedPlans } from './explained.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
const ID = '11111111222233334444555555555555';
const DASHED = '11111111-2222-3333-4444-555555555555';
const INV = '99999999-0000-4000-8000-000000000009';

before(async () => {
  app = await startTestApp();
  const base = { request_id: ID, account: '5', org_id: '7' };
  const { status } = await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'])),
    body: [
      { ...base, service: 'ingress', status: 'received', date: '2026-11-24T23:00:00Z', inventory_id: INV },
      { ...base, service: 'ingress', status: 'success', date: '2026-11-24T23:00:01.250000Z' },
      // A source-less service, then the same service from a source, spanning past midnight.
      { ...base, service: 'puptoo', status: 'processing', date: '2026-11-24T23:30:00Z', status_msg: 'parsing' },
      { ...base, service: 'puptoo', status: 'success', date: '2026-11-25T00:15:00.5Z' },
      { ...base, service: 'puptoo', source: 'insights-client', status: 'error', date: '2026-11-25T00:16:00Z' },
      // 26 hours after the first event: total_time passes 24 hours.
      { ...base, service: 'inventory', status: 'success', date: '2026-11-26T01:00:00.000001Z' },
    ],
  });
  assert.equal(status, 200);
});
after(() => app.close());

const detail = async (query = '', id = ID) => request(`${app.url}/v1/payloads/${id}${query}`);

describe('GET /v1/payloads/{request_id}', () => {
  test('every status, oldest first by default, with all fields at verbosity 0', async () => {
    const { status, body } = await detail();
    assert.equal(status, 200);
    assert.equal(body.data.length, 6);
    assert.deepEqual(
      body.data.map((row: { date: string }) => row.date),
      [...body.data.map((row: { date: string }) => row.date)].sort(),
    );
    const first = body.data[0];
    assert.deepEqual(Object.keys(first).sort(), [
      'account',
      'created_at',
      'date',
      'id',
      'inventory_id',
      'org_id',
      'request_id',
      'service',
      'status',
    ]);
    assert.equal(first.inventory_id, INV);
    assert.equal(typeof first.id, 'number');
    assert.equal(body.data[2].status_msg, 'parsing');
    assert.equal(body.data[4].source, 'insights-client');
  });

  test('durations per service:source, in services and in total, as HH:MM:SS.ffffff', async () => {
    const { body } = await detail();
    assert.deepEqual(body.duration, {
      'ingress:undefined': '00:00:01.250000',
      'puptoo:undefined': '00:45:00.500000',
      'puptoo:insights-client': '00:00:00.000000',
      'inventory:undefined': '00:00:00.000000',
      total_time_in_services: '00:45:01.750000',
      total_time: '26:00:00.000001',
    });
  });

  test('verbosity 1 and 2 keep their fields; durations are the same at every verbosity', async () => {
    const full = (await detail()).body;
    const one = (await detail('?verbosity=1')).body;
    const two = (await detail('?verbosity=2')).body;
    const allowedOne = ['service', 'source', 'status', 'status_msg', 'inventory_id', 'date'];
    for (const row of one.data) for (const key of Object.keys(row)) assert.ok(allowedOne.includes(key), key);
    assert.deepEqual(Object.keys(one.data[0]).sort(), ['date', 'inventory_id', 'service', 'status']);
    assert.equal(one.data[2].status_msg, 'parsing');
    for (const row of two.data) assert.deepEqual(Object.keys(row).sort(), ['date', 'service', 'status']);
    assert.deepEqual(one.duration, full.duration);
    assert.deepEqual(two.duration, full.duration);
  });

  test('sort_by each field in both directions, ties broken by id', async () => {
    const statuses = (await detail('?sort_by=status&verbosity=2')).body.data.map((row: { status: string }) => row.status);
    assert.deepEqual(statuses, ['error', 'processing', 'received', 'success', 'success', 'success']);
    const desc = (await detail('?sort_by=service&sort_dir=desc&verbosity=2')).body.data;
    assert.deepEqual(
      desc.map((row: { service: string }) => row.service),
      ['puptoo', 'puptoo', 'puptoo', 'inventory', 'ingress', 'ingress'],
    );
    const latestFirst = (await detail('?sort_dir=desc')).body.data;
    assert.equal(latestFirst[0].service, 'inventory');
    const byCreated = (await detail('?sort_by=created_at')).body.data.map((row: { id: number }) => row.id);
    assert.deepEqual(
      byCreated,
      [...byCreated].sort((a, b) => a - b),
    );
  });

  test("the payload's own fields, which the frontend offers as sorts, keep the order by id", async () => {
    const byId = (await detail('?sort_by=created_at')).body.data.map((row: { id: number }) => row.id).sort((a: number, b: number) => a - b);
    for (const field of ['request_id', 'account', 'org_id', 'inventory_id', 'system_id']) {
      const asc = await detail(`?sort_by=${field}`);
      assert.equal(asc.status, 200, field);
      assert.deepEqual(
        asc.body.data.map((row: { id: number }) => row.id),
        byId,
        field,
      );
      const desc = await detail(`?sort_by=${field}&sort_dir=desc`);
      assert.deepEqual(
        desc.body.data.map((row: { id: number }) => row.id),
        [...byId].reverse(),
        field,
      );
    }
  });

  test('an absent source or status_msg sorts last in both directions', async () => {
    for (const dir of ['asc', 'desc']) {
      const sources = (await detail(`?sort_by=source&sort_dir=${dir}`)).body.data.map((row: { source?: string }) => row.source ?? null);
      assert.equal(sources[0], 'insights-client', dir);
      const messages = (await detail(`?sort_by=status_msg&sort_dir=${dir}`)).body.data.map(
        (row: { status_msg?: string }) => row.status_msg ?? null,
      );
      assert.equal(messages[0], 'parsing', dir);
    }
  });

  test('the dashed form of the request ID finds the same payload', async () => {
    const { status, body } = await detail('', DASHED);
    assert.equal(status, 200);
    assert.equal(body.data[0].request_id, ID);
  });

  test('a payload whose statuses are all gone (retention) answers 200 with none', async () => {
    const kept = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    await sql`insert into payloads (request_id, org_id, created_at) values (${kept}, '7', '2026-11-20T00:00:00Z')`.execute(app.database.db);
    const { status, body } = await detail('', kept);
    assert.equal(status, 200);
    assert.deepEqual(body, { data: [], duration: { total_time: '00:00:00.000000', total_time_in_services: '00:00:00.000000' } });
  });

  test('an unknown request ID: 404', async () => {
    const { status, body } = await detail('', 'ffffffffffffffffffffffffffffffff');
    assert.equal(status, 404);
    assert.deepEqual(Object.keys(body).sort(), ['message', 'status', 'title']);
    assert.equal(body.status, 404);
  });

  for (const [query, id, message] of [
    ['', 'not%20an%20id', /request_id: must be 32 hex digits, a UUID/],
    ['?verbosity=3', ID, /verbosity: must be <= 2/],
    ['?verbosity=x', ID, /verbosity: must be a whole number/],
    ['?sort_by=size', ID, /sort_by: must be one of service, source, status, status_msg, date, created_at, request_id, account/],
    ['?sort_dir=sideways', ID, /sort_dir: must be one of asc, desc/],
  ] as const) {
    test(`bad input ${id === ID ? query : id}: 400`, async () => {
      const { status, body } = await detail(query, id);
      assert.equal(status, 400);
      assert.match(body.message, message);
    });
  }

  test(
    "reads only the partitions between the payload's first and last status (PostgreSQL, as auto_explain shows)",
    { skip: POSTGRES_PLANS },
    async () => {
      // A month of daily partitions around the payload's three days.
      const days = Array.from({ length: 30 }, (_, index) => new Date(Date.UTC(2026, 10, 10 + index)).toISOString().slice(0, 10));
      await new PartitionKeeper(app.database.db).ensure(days);
      const { result, plans } = await withExplainedPlans(app.database, async (db) =>
        sql`select * from payload_detail(${ID}, 'date', false)`.execute(db),
      );
      assert.equal(result.rows.length, 6);
      const statuses = plans.find((plan) => plan.includes('payload_statuses x'))!;
      const opened = [...new Set(statuses.match(/payload_statuses_p\d{8}/g))].sort();
      assert.deepEqual(opened, ['payload_statuses_p20261124', 'payload_statuses_p20261125', 'payload_statuses_p20261126']);
      assert.match(statuses, /Subplans Removed: \d+/);
    },
  );
});
