import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PAYLOAD_SORT_FIELDS } from '../src/payloads/payloads.schemas.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { expectedOrder, type Row } from './order.ts';

let app: TestApp;
const INV_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const SYS_B = 'bbbbbbbb-0000-4000-8000-000000000002';

// Twelve payloads, one a minute from 10:00; accounts alternate; three share one created_at.
const ids = Array.from({ length: 12 }, (_, index) => `f${String(index).padStart(31, '0')}`);
const minute = (index: number) => `2026-11-25T10:${String(index).padStart(2, '0')}:00Z`;

before(async () => {
  app = await startTestApp();
  const events = ids.map((id, index) => ({
    service: 'ingress',
    status: 'received',
    request_id: id,
    date: index >= 9 ? minute(9) : minute(index),
    account: index % 2 === 0 ? 'even' : 'odd',
    org_id: `org${index % 3}`,
    ...(index === 4 ? { inventory_id: INV_A } : {}),
    ...(index === 5 ? { system_id: SYS_B } : {}),
  }));
  const { status } = await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'])),
    body: events,
  });
  assert.equal(status, 200);
});
after(() => app.close());

const list = async (query: string, prefix = '/v1') => {
  const { status, body } = await request(`${app.url}${prefix}/payloads${query}`);
  return { status, body, ids: status === 200 ? body.data.map((row: { request_id: string }) => row.request_id) : [] };
};

describe('GET /v1/payloads', () => {
  test('defaults: newest first, 10 a page, the exact count, elapsed seconds', async () => {
    const { status, body, ids: page } = await list('');
    assert.equal(status, 200);
    assert.equal(body.count, 12);
    assert.equal(body.data.length, 10);
    assert.equal(typeof body.elapsed, 'number');
    assert.ok(body.elapsed >= 0 && body.elapsed < 60);
    // The three payloads created at 10:09 come first, their tie broken by id (descending).
    assert.deepEqual(page.slice(0, 4), [ids[11], ids[10], ids[9], ids[8]]);
  });

  test('rows carry their fields and leave absent ones out', async () => {
    const { body } = await list('?inventory_id=' + INV_A);
    assert.deepEqual(Object.keys(body.data[0]).sort(), ['account', 'created_at', 'id', 'inventory_id', 'org_id', 'request_id']);
    assert.equal(typeof body.data[0].id, 'number');
    assert.equal(body.data[0].created_at, '2026-11-25T10:04:00.000000Z');
  });

  test('page counts from 0; a page past the end is empty with the count', async () => {
    assert.deepEqual((await list('?page=1')).ids, [ids[1], ids[0]]);
    const past = await list('?page=5');
    assert.deepEqual(past.ids, []);
    assert.equal(past.body.count, 12);
  });

  test('page_size, and paging through the whole list visits every payload once', async () => {
    const seen: string[] = [];
    for (let page = 0; page < 4; page++) seen.push(...(await list(`?page_size=5&page=${page}&sort_by=account`)).ids);
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);
  });

  test('filters: account, org_id, inventory_id, system_id', async () => {
    assert.equal((await list('?account=even')).body.count, 6);
    assert.equal((await list('?org_id=org1')).body.count, 4);
    assert.deepEqual((await list(`?inventory_id=${INV_A.toUpperCase()}`)).ids, [ids[4]]);
    assert.deepEqual((await list(`?system_id=${SYS_B}`)).ids, [ids[5]]);
    assert.equal((await list('?account=even&org_id=org0')).body.count, 2);
    assert.equal((await list('?account=nobody')).body.count, 0);
  });

  test('last_status (an addition): payloads whose last status by date is the one named, counted exactly', async () => {
    const later = { service: 'puptoo', status: 'success', request_id: ids[1], date: minute(20) };
    assert.equal(
      (await request(`${app.url}/v1/statuses`, { headers: bearer(await app.token(['statuses:write'])), body: [later] })).status,
      200,
    );
    assert.deepEqual((await list('?last_status=SUCCESS')).ids, [ids[1]]);
    assert.equal((await list('?last_status=received')).body.count, 11);
    assert.equal((await list('?last_status=received&account=odd')).body.count, 5);
    assert.equal((await list('?last_status=error')).body.count, 0);
  });

  test('created_at filters, including a 15-minute window and an unencoded + offset', async () => {
    assert.equal((await list('?created_at_gte=2026-11-25T10:03:00Z&created_at_lt=2026-11-25T10:05:00Z')).body.count, 2);
    assert.equal((await list('?created_at_gt=2026-11-25T10:03:00Z&created_at_lte=2026-11-25T10:05:00Z')).body.count, 2);
    assert.equal((await list('?created_at_gte=2026-11-25T09:55:00Z&created_at_lte=2026-11-25T10:10:00Z')).body.count, 12);
    // "+01:00" sent unencoded arrives as " 01:00"; it still means UTC+1.
    assert.equal((await list('?created_at_gte=2026-11-25T11:09:00+01:00')).body.count, 3);
    assert.equal((await list('?created_at_gte=2026-11-25T11:09:00%2B01:00')).body.count, 3);
  });

  test('sort_by each field, both directions; ties broken by id the same way', async () => {
    const rows: Row[] = (await list('?page_size=12')).body.data;
    assert.equal(rows.length, 12);
    for (const field of PAYLOAD_SORT_FIELDS) {
      for (const descending of [false, true]) {
        const { status, body } = await list(`?sort_by=${field}&sort_dir=${descending ? 'desc' : 'asc'}&page_size=12`);
        assert.equal(status, 200);
        assert.deepEqual(
          body.data.map((row: Row) => row.id),
          expectedOrder(rows, field, descending).map((row) => row.id),
          `${field} ${descending}`,
        );
      }
    }
  });

  test('sort_by request_id, as the frontend offers it', async () => {
    assert.deepEqual((await list('?sort_by=request_id&sort_dir=asc&page_size=12')).ids, [...ids].sort());
    assert.deepEqual((await list('?sort_by=request_id&sort_dir=desc&page_size=12')).ids, [...ids].sort().reverse());
  });

  test('absent values sort last in both directions', async () => {
    for (const dir of ['asc', 'desc']) {
      const { ids: sorted } = await list(`?sort_by=inventory_id&sort_dir=${dir}&page_size=12`);
      assert.equal(sorted[0], ids[4], dir);
      const { ids: bySystem } = await list(`?sort_by=system_id&sort_dir=${dir}&page_size=12`);
      assert.equal(bySystem[0], ids[5], dir);
    }
  });

  test('an order with ties is total: paging through it gives the order one page does, every row once', async () => {
    const whole = (await list('?sort_by=account&page_size=12')).ids;
    assert.equal(whole.length, 12);
    const paged: string[] = [];
    for (let page = 0; page < 5; page++) paged.push(...(await list(`?sort_by=account&page_size=3&page=${page}`)).ids);
    assert.deepEqual(paged, whole);
  });

  test('a repeated key takes its first value; unknown keys are ignored', async () => {
    assert.equal((await list('?account=odd&account=even&colour=blue')).body.count, 6);
    assert.deepEqual((await list('?account=odd&account=even')).ids.length, 6);
  });

  test('empty filter values count as not given', async () => {
    assert.equal((await list('?account=&inventory_id=&created_at_gte=')).body.count, 12);
  });

  test('served at /api/v1 and at the frontend path too', async () => {
    assert.equal((await list('', '/api/v1')).body.count, 12);
    assert.equal((await list('', '/app/payload-tracker/api/v1')).body.count, 12);
  });

  const bad: [string, RegExp][] = [
    ['?page=-1', /page: must be >= 0/],
    ['?page=abc', /page: must be a whole number/],
    ['?page=1.5', /page: must be a whole number/],
    ['?page_size=0', /page_size: must be >= 1/],
    ['?page_size=1001', /page_size: must be <= 1000/],
    ['?sort_by=service', /sort_by: must be one of request_id, account, org_id, inventory_id, system_id, created_at/],
    ['?sort_dir=up', /sort_dir: must be one of asc, desc/],
    ['?created_at_lt=yesterday', /created_at_lt: must be an RFC 3339 date-time/],
    ['?created_at_gte=2026-02-30T00:00:00Z', /created_at_gte: must be an RFC 3339 date-time/],
    ['?inventory_id=123', /inventory_id: must be a UUID/],
    ['?system_id=zzz', /system_id: must be a UUID/],
  ];
  for (const [query, message] of bad) {
    test(`bad input ${query}: 400 saying what is wrong`, async () => {
      const { status, body } = await list(query);
      assert.equal(status, 400);
      assert.deepEqual(Object.keys(body).sort(), ['errors', 'message', 'status', 'title']);
      assert.equal(body.status, 400);
      assert.equal(body.title, 'Bad Request');
      assert.match(body.message, message);
    });
  }
});
