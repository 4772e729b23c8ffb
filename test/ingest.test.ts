import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { bearer, EVERY_FIELD_WRONG, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
let writer: Record<string, string>;
before(async () => {
  app = await startTestApp({ env: { INGEST_BODY_LIMIT: '65536', INGEST_MAX_EVENTS: '50' } });
  writer = bearer(await app.token(['statuses:write']));
});
after(() => app.close());

const post = (body: unknown, headers = writer) => request(`${app.url}/v1/statuses`, { headers, body });
const payload = async (requestId: string) => (await request(`${app.url}/v1/payloads/${requestId}`)).body;
const event = (overrides: Record<string, unknown> = {}) => ({
  service: 'ingress',
  request_id: '0123456789abcdef0123456789abcdef',
  status: 'received',
  date: '2026-11-25T10:00:00Z',
  ...overrides,
});

describe('access', () => {
  test('without a token: 401 in the payload tracker error body', async () => {
    const { status, body } = await post(event(), {});
    assert.equal(status, 401);
    assert.equal(body.status, 401);
    assert.equal(body.title, 'Unauthorized');
    assert.match(body.message, /bearer token/);
  });

  test('with an unknown token: 401', async () => {
    assert.equal((await post(event(), bearer('trk_not-a-token'))).status, 401);
  });

  test('with a token lacking statuses:write: 403', async () => {
    const reader = bearer(await app.token(['gathering:read']));
    const { status, body } = await post(event(), reader);
    assert.equal(status, 403);
    assert.match(body.message, /statuses:write/);
  });
});

describe('accepted forms', () => {
  test('one message, stored and read back', async () => {
    const id = 'a0000000000000000000000000000001';
    const { status, body } = await post(event({ request_id: id }));
    assert.equal(status, 200);
    assert.deepEqual(body, { received: 1, stored: 1 });
    assert.equal((await payload(id)).data.length, 1);
  });

  test('a JSON array', async () => {
    const id = 'a0000000000000000000000000000002';
    const { body } = await post([event({ request_id: id }), event({ request_id: id, service: 'puptoo' })]);
    assert.deepEqual(body, { received: 2, stored: 2 });
  });

  test('NDJSON, blank lines ignored', async () => {
    const id = 'a0000000000000000000000000000003';
    const raw = `${JSON.stringify(event({ request_id: id }))}\n\n${JSON.stringify(event({ request_id: id, status: 'success' }))}\n`;
    const { status, body } = await request(`${app.url}/v1/statuses`, {
      headers: { ...writer, 'content-type': 'application/x-ndjson' },
      raw,
    });
    assert.equal(status, 200);
    assert.deepEqual(body, { received: 2, stored: 2 });
  });

  test('NDJSON with a line that is not JSON: 400 naming the line', async () => {
    const { status, body } = await request(`${app.url}/v1/statuses`, {
      headers: { ...writer, 'content-type': 'application/x-ndjson' },
      raw: `${JSON.stringify(event())}\n{nope\n`,
    });
    assert.equal(status, 400);
    assert.match(body.message, /line 2/);
  });

  test('a body that is not JSON: 400', async () => {
    const { status, body } = await request(`${app.url}/v1/statuses`, {
      headers: { ...writer, 'content-type': 'application/json' },
      raw: '{"service":',
    });
    assert.equal(status, 400);
    assert.equal(body.status, 400);
  });

  test('an empty array: 400', async () => {
    const { status, body } = await post([]);
    assert.equal(status, 400);
    assert.match(body.message, /no status events were given/);
  });
});

describe('normalization', () => {
  test('service, status and source are lower-cased', async () => {
    const id = 'b0000000000000000000000000000001';
    await post(event({ request_id: id, service: 'PUPTOO', status: 'Success', source: 'Inventory' }));
    const [row] = (await payload(id)).data;
    assert.equal(row.service, 'puptoo');
    assert.equal(row.status, 'success');
    assert.equal(row.source, 'inventory');
  });

  test('empty, null and "None" optional fields are stored as absent', async () => {
    const id = 'b0000000000000000000000000000002';
    await post(event({ request_id: id, source: '', status_msg: 'None', account: null, org_id: '', inventory_id: 'None' }));
    const [row] = (await payload(id)).data;
    for (const field of ['source', 'status_msg', 'account', 'org_id', 'inventory_id', 'system_id']) {
      assert.equal(field in row, false, `${field} should be absent`);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from payload_statuses
      where status_msg in ('', 'None') or source in ('', 'None')`.execute(app.database.db);
    assert.equal(rows[0].n, 0);
  });

  test('a dashed UUID and its 32 hex digits, in either case, name one payload stored as 32 lower-case hex digits', async () => {
    await post([
      event({ request_id: 'C0FFEE00-0000-4000-8000-000000000001', service: 'one' }),
      event({ request_id: 'c0ffee0000004000800000000000000 1'.replace(' ', ''), service: 'two' }),
      event({ request_id: 'C0FFEE00000040008000000000000001', service: 'three' }),
    ]);
    const detail = await payload('c0ffee00-0000-4000-8000-000000000001');
    assert.deepEqual(detail.data.map((row: { service: string }) => row.service).sort(), ['one', 'three', 'two']);
    assert.equal(detail.data[0].request_id, 'c0ffee00000040008000000000000001');
  });

  test('other request IDs are kept as sent', async () => {
    await post(event({ request_id: 'Job_42-retry' }));
    assert.equal((await payload('Job_42-retry')).data[0].request_id, 'Job_42-retry');
  });

  test('dates with a space, without an offset (UTC), with nanoseconds or an offset are read exactly', async () => {
    const id = 'b0000000000000000000000000000003';
    await post([
      event({ request_id: id, service: 'a', date: '2026-11-25 10:00:00' }),
      event({ request_id: id, service: 'b', date: '2026-11-25T10:00:01.123456789Z' }),
      event({ request_id: id, service: 'c', date: '2026-11-25T12:00:02.5+02:00' }),
    ]);
    const dates = Object.fromEntries((await payload(id)).data.map((row: { service: string; date: string }) => [row.service, row.date]));
    assert.deepEqual(dates, {
      a: '2026-11-25T10:00:00.000000Z',
      b: '2026-11-25T10:00:01.123456Z',
      c: '2026-11-25T10:00:02.500000Z',
    });
  });

  test('payload fields: the last non-empty value wins; created_at is the earliest event date', async () => {
    const id = 'b0000000000000000000000000000004';
    await post([
      event({ request_id: id, date: '2026-11-25T10:00:05Z', account: '111', org_id: 'o1' }),
      event({ request_id: id, date: '2026-11-25T10:00:06Z', account: '222' }),
    ]);
    await post(event({ request_id: id, date: '2026-11-25T09:00:00Z', account: '', inventory_id: '11111111-2222-3333-4444-555555555555' }));
    const { body } = await request(`${app.url}/v1/payloads?account=222`);
    assert.equal(body.count, 1);
    assert.deepEqual(body.data[0], {
      id: body.data[0].id,
      request_id: id,
      account: '222',
      org_id: 'o1',
      inventory_id: '11111111-2222-3333-4444-555555555555',
      created_at: '2026-11-25T09:00:00.000000Z',
    });
  });
});

/** Runs `use` with an app of its own that takes up to 10,000 events a request, and a way to post a batch to it. */
async function withLargeApp(use: (large: TestApp, post: (body: unknown) => ReturnType<typeof request>) => Promise<void>) {
  const large = await startTestApp({ env: { INGEST_MAX_EVENTS: '10000' } });
  try {
    const headers = bearer(await large.token(['statuses:write']));
    await use(large, (body) => request(`${large.url}/v1/statuses`, { headers, body }));
  } finally {
    await large.close();
  }
}

describe('validation: all or nothing', () => {
  test('every bad item is named by index, field and reason, and nothing is stored', async () => {
    const id = 'c0000000000000000000000000000001';
    const { status, body } = await post([
      event({ request_id: id }),
      { service: 'x', status: 'y' },
      event({ request_id: 'not a valid id!' }),
      event({ request_id: id, date: '25/11/2026' }),
      event({ request_id: id, inventory_id: 'not-a-uuid' }),
      event({ request_id: id, service: ['a'] }),
      'a string',
    ]);
    assert.equal(status, 400);
    assert.equal(body.status, 400);
    const problems = body.errors.map((error: { index: number; field: string }) => `${error.index}.${error.field}`);
    assert.deepEqual(problems, ['1.request_id', '1.date', '2.request_id', '3.date', '4.inventory_id', '5.service', '6.']);
    assert.match(body.errors[0].reason, /required/);
    assert.match(body.message, /6 of 7 status events are invalid/);
    assert.equal((await request(`${app.url}/v1/payloads/${id}`)).status, 404);
  });

  test('dates outside the window, from the first retained day (30 days back) to a day ahead, are refused per item', async () => {
    // The test clock is 2026-11-26T12:00:00Z.
    const { status, body } = await post([
      event({ date: '2026-10-27T00:00:00Z' }),
      event({ date: '2026-10-26T23:59:59.999999Z' }),
      event({ date: '2026-11-27T11:59:59.999Z' }),
      event({ date: '2026-11-27T12:00:00Z' }),
      event({ date: '2091-06-01T00:00:00Z' }),
    ]);
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors.map((error: { index: number }) => error.index),
      [1, 3, 4],
    );
    assert.equal(body.errors[0].field, 'date');
    assert.match(
      body.errors[0].reason,
      /on or after 2026-10-27T00:00:00Z \(the first day retention keeps\) and before 2026-11-27T12:00:00Z \(a day ahead\)/,
    );
  });

  test('no partition is made for a refused date', async () => {
    await post([event({ date: '2030-01-01T00:00:00Z' })]);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_class where relname = 'payload_statuses_p20300101'`.execute(app.database.db);
    assert.equal(rows[0].n, 0);
  });

  test('a required field of only whitespace is refused as missing', async () => {
    const { status, body } = await post(event({ request_id: ' ', service: ' ', status: '\t', date: ' ' }));
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors.map((error: { field: string; reason: string }) => `${error.field} ${error.reason}`),
      ['service is required', 'status is required', 'request_id is required', 'date is required'],
    );
  });

  test('a NUL character in any field is refused, naming the item and field', async () => {
    for (const field of ['service', 'source', 'account', 'org_id', 'status', 'status_msg']) {
      const { status, body } = await post([event(), event({ [field]: 'a\u0000b' })]);
      assert.equal(status, 400, field);
      assert.deepEqual(body.errors, [{ index: 1, field, reason: 'must not contain a NUL character (\\u0000)' }]);
    }
  });

  test('an offset PostgreSQL cannot store is refused', async () => {
    for (const date of ['2026-11-25T10:00:00+20:00', '2026-11-25T10:00:00-16:00']) {
      const { status, body } = await post(event({ date }));
      assert.equal(status, 400, date);
      assert.equal(body.errors[0].field, 'date');
    }
  });

  test('a field longer than its limit is refused', async () => {
    const { status, body } = await post(event({ service: 'x'.repeat(200) }));
    assert.equal(status, 400);
    assert.equal(body.errors[0].field, 'service');
  });

  test('more events than INGEST_MAX_EVENTS: 413', async () => {
    const { status, body } = await post(Array.from({ length: 51 }, () => event()));
    assert.equal(status, 413);
    assert.match(body.message, /at most 50/);
  });

  test('too many items is a 413 before any item is checked', async () => {
    const { status, body } = await post(Array.from({ length: 51 }, () => ({})));
    assert.equal(status, 413);
    assert.match(body.message, /at most 50 status events, not 51/);
  });

  test('a refusal lists the first 100 errors, every one of their items, and counts the other bad items', async () => {
    const { status, body } = await post([event(), ...Array.from({ length: 49 }, () => EVERY_FIELD_WRONG)]);
    assert.equal(status, 400);
    assert.equal(body.errors.length, 100);
    assert.deepEqual([...new Set(body.errors.map((error: { index: number }) => error.index))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(
      body.errors
        .filter((error: { index: number }) => error.index === 1)
        .map((error: { field: string }) => error.field)
        .sort(),
      Object.keys(EVERY_FIELD_WRONG).sort(),
    );
    assert.match(body.message, /^49 of 50 status events are invalid, nothing was stored: \[1\]\.service must be a string, not an array; /);
    assert.match(body.message, /; and 95 more listed; 39 more invalid status events are not listed$/);
  });

  test('past the first 100 errors, the other bad items are counted, not listed (2,500 items: checked in steps)', async () => {
    await withLargeApp(async (_app, post) => {
      const { status, body } = await post([...Array.from({ length: 2500 }, () => ({})), event()]);
      assert.equal(status, 400);
      assert.equal(body.errors.length, 100);
      assert.deepEqual(
        body.errors
          .slice(0, 4)
          .map((error: { index: number; field: string; reason: string }) => `${error.index} ${error.field} ${error.reason}`),
        ['0 service is required', '0 status is required', '0 request_id is required', '0 date is required'],
      );
      assert.equal(body.errors.at(-1).index, 24);
      assert.match(
        body.message,
        /^2500 of 2501 status events are invalid, .*; and 95 more listed; 2475 more invalid status events are not listed$/,
      );
    });
  });

  test('a body over INGEST_BODY_LIMIT: 413 in the payload tracker body', async () => {
    const { status, body } = await post([event({ status_msg: 'x'.repeat(70_000) })]);
    assert.equal(status, 413);
    assert.equal(body.status, 413);
  });
});

describe('storage', () => {
  test('the same event delivered twice is stored once', async () => {
    const id = 'd0000000000000000000000000000001';
    const batch = [
      event({ request_id: id, status_msg: 'hello' }),
      event({ request_id: id, status_msg: 'hello' }),
      event({ request_id: id }),
      event({ request_id: id, source: 'src' }),
    ];
    assert.deepEqual((await post(batch)).body, { received: 4, stored: 3 });
    assert.deepEqual((await post(batch)).body, { received: 4, stored: 0 });
    assert.equal((await payload(id)).data.length, 3);
  });

  test("events on the window's edge days are stored, each in a partition of its day", async () => {
    const id = 'd0000000000000000000000000000002';
    const { body } = await post([
      event({ request_id: id, date: '2026-10-27T00:00:00Z' }),
      event({ request_id: id, date: '2026-11-27T11:59:59.999999Z' }),
    ]);
    assert.equal(body.stored, 2);
    const { rows } = await sql<{ partition: string }>`
      select s.tableoid::regclass::text as partition from payload_statuses s
      join payloads p on p.id = s.payload_id where p.request_id = ${id} order by s.date`.execute(app.database.db);
    assert.deepEqual(
      rows.map((row) => row.partition),
      ['payload_statuses_p20261027', 'payload_statuses_p20261127'],
    );
  });

  test('a batch of over 1,000 events (several calls, one transaction) is one: a repeat stored once, the last account sent wins', async () => {
    const id = (index: number) => `f${String(index % 300).padStart(31, '0')}`;
    const batch: Record<string, unknown>[] = Array.from({ length: 2500 }, (_, index) =>
      event({ request_id: id(index), service: `svc${index}`, date: new Date(Date.UTC(2026, 10, 20) + index * 1000).toISOString() }),
    );
    // Payload 7's first and last events, 2,400 items apart, name different accounts; one event is sent twice.
    batch[7] = { ...batch[7], account: 'first' };
    batch[2407] = { ...batch[2407], account: 'last' };
    batch.push(batch[10]);
    await withLargeApp(async (big, post) => {
      const { status, body } = await post(batch);
      assert.equal(status, 200);
      assert.deepEqual(body, { received: 2501, stored: 2500 });
      const detail = await request(`${big.url}/v1/payloads/${id(7)}`);
      assert.ok(detail.body.data.every((status: { account?: string }) => status.account === 'last'));
    });
  });

  test('a batch of 5,000 events across 500 payloads is stored whole', async () => {
    const batch = Array.from({ length: 5000 }, (_, index) =>
      event({
        request_id: `e${String(index % 500).padStart(31, '0')}`,
        service: `svc${index % 7}`,
        status: index % 2 ? 'success' : 'processing',
        date: new Date(Date.UTC(2026, 10, 20) + index * 1000).toISOString(),
      }),
    );
    await withLargeApp(async (big, post) => {
      const { status, body } = await post(batch);
      assert.equal(status, 200);
      assert.equal(body.stored, 5000);
      assert.equal((await request(`${big.url}/v1/payloads`)).body.count, 500);
    });
  });
});
