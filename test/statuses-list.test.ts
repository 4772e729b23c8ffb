import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STATUS_SORT_FIELDS } from '../src/payloads/payloads.schemas.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { expectedOrder, type Row } from './order.ts';

let app: TestApp;
const A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

before(async () => {
  app = await startTestApp();
  const token = bearer(await app.token(['statuses:write']));
  const post = (body: unknown) => request(`${app.url}/v1/statuses`, { headers: token, body });
  assert.equal(
    (
      await post([
        { request_id: A, service: 'ingress', status: 'received', date: '2026-11-25T10:00:00Z' },
        { request_id: A, service: 'puptoo', source: 'insights-client', status: 'success', date: '2026-11-25T10:01:00Z' },
        { request_id: B, service: 'puptoo', status: 'error', status_msg: 'bad archive', date: '2026-11-25T10:02:00Z' },
        { request_id: B, service: 'inventory', status: 'success', date: '2026-11-25T10:03:00Z' },
      ])
    ).status,
    200,
  );
  // Stored in a later transaction: its created_at is after every other's.
  assert.equal((await post({ request_id: B, service: 'ingress', status: 'received', date: '2026-11-25T09:00:00Z' })).status, 200);
});
after(() => app.close());

const list = async (query: string) => {
  const { status, body } = await request(`${app.url}/v1/statuses${query}`);
  return { status, body, dates: status === 200 ? body.data.map((row: { date: string }) => row.date.slice(11, 16)) : [] };
};

describe('GET /v1/statuses', () => {
  test('newest date first by default, with the exact count; source-less statuses included', async () => {
    const { status, body, dates } = await list('');
    assert.equal(status, 200);
    assert.equal(body.count, 5);
    assert.deepEqual(dates, ['10:03', '10:02', '10:01', '10:00', '09:00']);
    const row = body.data[1];
    assert.deepEqual(Object.keys(row).sort(), ['created_at', 'date', 'id', 'request_id', 'service', 'status', 'status_msg']);
    assert.equal(typeof row.id, 'string');
    assert.equal(row.request_id, B);
  });

  test('filters: service, source, status, status_msg (any case for the names)', async () => {
    assert.equal((await list('?service=puptoo')).body.count, 2);
    assert.equal((await list('?service=PUPTOO&status=Error')).body.count, 1);
    assert.deepEqual((await list('?source=insights-client')).dates, ['10:01']);
    assert.deepEqual((await list('?status_msg=bad%20archive')).dates, ['10:02']);
    assert.equal((await list('?status=success')).body.count, 2);
    assert.equal((await list('?service=nothing')).body.count, 0);
  });

  test('request_id filters by the payload, in any of its forms; an unknown one matches nothing', async () => {
    assert.deepEqual((await list(`?request_id=${A}`)).dates, ['10:01', '10:00']);
    const dashed = `${B.slice(0, 8)}-${B.slice(8, 12)}-${B.slice(12, 16)}-${B.slice(16, 20)}-${B.slice(20)}`;
    const ofB = await list(`?request_id=${dashed.toUpperCase()}&service=puptoo`);
    assert.deepEqual([ofB.body.count, ofB.dates], [1, ['10:02']]);
    assert.deepEqual((await list('?request_id=unknown')).body.count, 0);
    assert.equal((await list('?request_id=not%20an%20id')).status, 400);
  });

  test('an absent source sorts last in both directions', async () => {
    for (const dir of ['asc', 'desc']) {
      assert.equal((await list(`?sort_by=source&sort_dir=${dir}`)).body.data[0].source, 'insights-client', dir);
    }
  });

  test('date filters', async () => {
    assert.deepEqual((await list('?date_gte=2026-11-25T10:01:00Z&date_lt=2026-11-25T10:03:00Z')).dates, ['10:02', '10:01']);
    assert.deepEqual((await list('?date_gt=2026-11-25T10:01:00Z&date_lte=2026-11-25T10:03:00Z')).dates, ['10:03', '10:02']);
  });

  test('created_at filters select by when Tracker stored the status', async () => {
    const latest = (await list('?sort_by=created_at&page_size=1')).body.data[0];
    assert.equal(latest.date, '2026-11-25T09:00:00.000000Z');
    assert.deepEqual((await list(`?created_at_gte=${latest.created_at}`)).dates, ['09:00']);
    assert.equal((await list(`?created_at_lt=${latest.created_at}`)).body.count, 4);
    assert.equal((await list(`?created_at_gt=${latest.created_at}`)).body.count, 0);
    assert.equal((await list(`?created_at_lte=${latest.created_at}`)).body.count, 5);
  });

  test('sort_by request_id and the other fields, both directions', async () => {
    const byRequest = (await list('?sort_by=request_id&sort_dir=asc')).body.data.map((row: { request_id: string }) => row.request_id);
    assert.deepEqual(byRequest, [A, A, B, B, B]);
    const byService = (await list('?sort_by=service&sort_dir=asc')).body.data.map((row: { service: string }) => row.service);
    assert.deepEqual(byService, ['ingress', 'ingress', 'inventory', 'puptoo', 'puptoo']);
    const rows: Row[] = (await list('')).body.data;
    assert.equal(rows.length, 5);
    for (const field of STATUS_SORT_FIELDS) {
      for (const descending of [false, true]) {
        const { body } = await list(`?sort_by=${field}&sort_dir=${descending ? 'desc' : 'asc'}`);
        assert.deepEqual(
          body.data.map((row: Row) => row.id),
          expectedOrder(rows, field, descending).map((row) => row.id),
          `${field} ${descending}`,
        );
      }
    }
  });

  test('paging: page from 0, page_size, exact count on every page', async () => {
    const first = await list('?page_size=2');
    const second = await list('?page_size=2&page=1');
    const third = await list('?page_size=2&page=2');
    assert.deepEqual([...first.dates, ...second.dates, ...third.dates], ['10:03', '10:02', '10:01', '10:00', '09:00']);
    for (const page of [first, second, third]) assert.equal(page.body.count, 5);
  });

  for (const [query, message] of [
    ['?page=-2', /page: must be >= 0/],
    ['?page_size=many', /page_size: must be a whole number/],
    ['?sort_by=account', /sort_by: must be one of service, source, request_id, status, status_msg, date, created_at/],
    ['?sort_dir=DESC', /sort_dir: must be one of asc, desc/],
    ['?date_lt=2026-13-01T00:00:00Z', /date_lt: must be an RFC 3339 date-time/],
    ['?date_gte=now', /date_gte: must be an RFC 3339 date-time/],
    ['?created_at_gt=2026-11-25T25:00:00Z', /created_at_gt: must be an RFC 3339 date-time/],
  ] as const) {
    test(`bad input ${query}: 400`, async () => {
      const { status, body } = await list(query);
      assert.equal(status, 400);
      assert.equal(body.status, 400);
      assert.match(body.message, message);
    });
  }
});
