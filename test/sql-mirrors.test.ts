/**
 * What SQL repeats of the TypeScript (a migration's function or trigger) stays
 * in step with it: these tests fail when one changes without the other.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { PAYLOAD_COUNT_DIMENSIONS, STATUS_COUNT_DIMENSIONS } from '../src/payloads/counts.ts';
import { PAYLOAD_STATUS_SORT_FIELDS } from '../src/payloads/payloads.schemas.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';
import { expectedOrder, type Row } from './order.ts';

let app: TestApp;
let producer: Record<string, string>;
const REQUEST_ID = 'a0a0a0a0b1b1b1b1c2c2c2c2d3d3d3d3';
const minutesAgo = (minutes: number) => new Date(TEST_NOW.getTime() - minutes * 60_000).toISOString();

before(async () => {
  app = await startTestApp();
  producer = bearer(await app.token(['statuses:write']));
  // One request each, so IDs (and created_at) rise in this order while every other field does not.
  const statuses = [
    { service: 'zeta', status: 'success', status_msg: 'beta', date: minutesAgo(10) },
    { service: 'alpha', source: 'src-b', status: 'error', date: minutesAgo(30) },
    { service: 'mu', source: 'src-a', status: 'processing', status_msg: 'alpha', date: minutesAgo(20) },
  ];
  for (const status of statuses) {
    const answer = await request(`${app.url}/v1/statuses`, {
      headers: producer,
      body: { request_id: REQUEST_ID, account: '1', org_id: '2', ...status },
    });
    assert.equal(answer.status, 200);
  }
});
after(() => app.close());

test('the payload detail sorts by every field its route offers (migrations 0007, 0008), not silently by id', async () => {
  const rows: Row[] = (await request(`${app.url}/v1/payloads/${REQUEST_ID}`)).body.data;
  assert.equal(rows.length, 3);
  const byId = expectedOrder(rows, 'id', false).map((row) => row.id);
  for (const field of PAYLOAD_STATUS_SORT_FIELDS) {
    const varies = new Set(rows.map((row) => row[field])).size > 1;
    // Otherwise a sort that ignored the field would pass: only created_at rises with the id here.
    if (varies && field !== 'created_at') {
      assert.notDeepEqual(
        expectedOrder(rows, field, false).map((row) => row.id),
        byId,
        `the test data orders ${field} apart from id`,
      );
    }
    for (const descending of [false, true]) {
      const { status, body } = await request(
        `${app.url}/v1/payloads/${REQUEST_ID}?sort_by=${field}&sort_dir=${descending ? 'desc' : 'asc'}`,
      );
      assert.equal(status, 200, field);
      assert.deepEqual(
        body.data.map((row: Row) => row.id),
        expectedOrder(rows, field, descending).map((row) => row.id),
        `sort_by=${field} ${descending ? 'desc' : 'asc'}`,
      );
    }
  }
});

test('the count summaries (migration 0005) have the dimensions the counting code filters on, and their triggers group by them', async () => {
  const events = [];
  for (const [index, account] of ['10', '11', undefined].entries()) {
    for (const service of ['ingress', 'puptoo']) {
      for (const status of ['received', 'success', 'error']) {
        events.push({
          request_id: `mirror-${account ?? 'none'}-${index}`,
          account,
          org_id: index === 2 ? '21' : '20',
          service,
          source: status === 'error' ? 'client' : undefined,
          status,
          date: minutesAgo(index * 70 + 5),
        });
      }
    }
  }
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: producer, body: events })).status, 200);
  const db = app.database.db;
  const columnsOf = async (table: string) =>
    (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = ${table}`.execute(db)).rows
      .map((row) => row.column_name)
      .sort();
  assert.deepEqual(await columnsOf('payload_counts'), ['hour', ...PAYLOAD_COUNT_DIMENSIONS, 'n', 'folded'].sort());
  assert.deepEqual(await columnsOf('status_counts'), ['hour', ...STATUS_COUNT_DIMENSIONS, 'n', 'folded'].sort());

  const grouped = async (summary: string, base: string, time: string, dimensions: readonly string[]) => {
    const columns = sql.join(dimensions.map((dimension) => sql.ref(dimension)));
    const order = sql.raw(dimensions.map((_, index) => index + 2).join(', '));
    const summed = await sql`select hour, ${columns}, sum(n)::int as n from ${sql.table(summary)}
      group by hour, ${columns} having sum(n) <> 0 order by 1, ${order}`.execute(db);
    const counted = await sql`select count_hour(${sql.ref(time)}) as hour, ${columns}, count(*)::int as n from ${sql.table(base)}
      group by 1, ${columns} order by 1, ${order}`.execute(db);
    assert.deepEqual(summed.rows, counted.rows, summary);
  };
  await grouped('payload_counts', 'payloads', 'created_at', PAYLOAD_COUNT_DIMENSIONS);
  await grouped('status_counts', 'payload_statuses', 'date', STATUS_COUNT_DIMENSIONS);
});
