import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadMigrations, migrate } from '../src/db/migrate.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { countOutcomesSince, countPayloads, countStatuses, foldCounts } from '../src/payloads/counts.ts';
import { applyRetention } from '../src/upkeep/retention.ts';
import { bearer, freshDatabase, request, startTestApp, type TestApp } from './helpers.ts';

// The list counts come from hourly summaries (migration 0005); every count here is
// checked against count(*) over the base tables, on hour edges to the microsecond,
// after payloads change hour and account, after folding, and after retention.

const NOW = new Date('2026-11-25T12:00:00Z');
let app: TestApp;
let post: (body: unknown) => Promise<void>;

const requestId = (i: number) => i.toString(16).padStart(32, '0');

/** Events over 2026-11-24 09:00–13:00 UTC and two old days, with hour edges hit exactly. */
function events() {
  const list: Record<string, string>[] = [];
  const dates = [
    '2026-11-24T09:59:59.999999Z',
    '2026-11-24T10:00:00Z',
    '2026-11-24T10:00:00.000001Z',
    '2026-11-24T10:30:00Z',
    '2026-11-24T11:00:00Z',
    '2026-11-24T11:59:59.999999Z',
    '2026-11-24T12:15:00+01:00',
    '2026-11-24T12:45:00Z',
    '2026-10-01T12:00:00Z',
    '2026-10-02T00:00:00Z',
  ];
  for (let i = 0; i < 40; i++) {
    const date = dates[i % dates.length];
    const base = { request_id: requestId(i), date, org_id: `org${i % 3}` };
    list.push({ ...base, service: 'ingress', status: 'received', ...(i % 4 === 0 ? {} : { account: `acct${i % 2}` }) });
    list.push({ ...base, service: 'puptoo', status: i % 5 === 0 ? 'error' : 'success', source: i % 2 ? 'insights-client' : '' });
    if (i % 3 === 0) list.push({ ...base, service: 'advisor', status: 'success' });
  }
  return list.map((event) => (event.source === '' ? { ...event, source: undefined } : event));
}

// Each test has its own app with the same events stored.
beforeEach(async () => {
  // The two old days are within a 60-day retention window, so ingest takes them.
  app = await startTestApp({ now: () => NOW, env: { RETENTION_DAYS: '60' } });
  const token = bearer(await app.token(['statuses:write']));
  post = async (body) => assert.equal((await request(`${app.url}/v1/statuses`, { headers: token, body })).status, 200);
  await post(events());
});
afterEach(() => app.close());

const apiCount = async (path: string) => {
  const { status, body } = await request(`${app.url}${path}`);
  assert.equal(status, 200, path);
  return body.count as number;
};

const truth = async (table: 'payloads' | 'payload_statuses', where: ReturnType<typeof sql>) => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(app.database.db);
  return Number(rows[0].n);
};

const ts = (value: string) => sql`${value}::timestamptz`;

/** Each filter as a query string and as the condition count(*) checks it with. */
const payloadCases: [string, ReturnType<typeof sql>][] = [
  ['', sql`true`],
  ['account=acct1', sql`account = 'acct1'`],
  ['org_id=org2', sql`org_id = 'org2'`],
  ['created_at_gte=2026-11-24T10:00:00Z', sql`created_at >= ${ts('2026-11-24T10:00:00Z')}`],
  ['created_at_gt=2026-11-24T10:00:00Z', sql`created_at > ${ts('2026-11-24T10:00:00Z')}`],
  ['created_at_lt=2026-11-24T11:00:00Z', sql`created_at < ${ts('2026-11-24T11:00:00Z')}`],
  ['created_at_lte=2026-11-24T11:00:00Z', sql`created_at <= ${ts('2026-11-24T11:00:00Z')}`],
  [
    'created_at_gte=2026-11-24T09:59:59.999999Z&created_at_lt=2026-11-24T12:00:00.000001Z',
    sql`created_at >= ${ts('2026-11-24T09:59:59.999999Z')} and created_at < ${ts('2026-11-24T12:00:00.000001Z')}`,
  ],
  [
    'created_at_gte=2026-11-24T10:15:00Z&created_at_lt=2026-11-24T10:30:00Z',
    sql`created_at >= ${ts('2026-11-24T10:15:00Z')} and created_at < ${ts('2026-11-24T10:30:00Z')}`,
  ],
  [
    'account=acct0&created_at_gt=2026-11-24T09:00:00Z&created_at_lte=2026-11-24T12:00:00Z',
    sql`account = 'acct0' and created_at > ${ts('2026-11-24T09:00:00Z')} and created_at <= ${ts('2026-11-24T12:00:00Z')}`,
  ],
  ['created_at_gte=2026-11-24T12:00:00Z&created_at_lt=2026-11-24T10:00:00Z', sql`false`],
  ...['success', 'error', 'received', 'processing', 'none'].map((status): [string, ReturnType<typeof sql>] => [
    `last_status=${status}`,
    sql`${status} = (select status from payload_statuses s where s.payload_id = payloads.id order by date desc, id desc limit 1)`,
  ]),
];

const statusCases: [string, ReturnType<typeof sql>][] = [
  ['', sql`true`],
  ['service=puptoo&status=error', sql`service = 'puptoo' and status = 'error'`],
  ['source=insights-client', sql`source = 'insights-client'`],
  ['status=success&date_gte=2026-11-24T10:00:00Z', sql`status = 'success' and date >= ${ts('2026-11-24T10:00:00Z')}`],
  [
    'date_gt=2026-11-24T10:00:00Z&date_lte=2026-11-24T11:59:59.999999Z',
    sql`date > ${ts('2026-11-24T10:00:00Z')} and date <= ${ts('2026-11-24T11:59:59.999999Z')}`,
  ],
  ['date_lt=2026-10-02T00:00:00Z', sql`date < ${ts('2026-10-02T00:00:00Z')}`],
  ['status_msg=nothing', sql`status_msg = 'nothing'`],
];

async function assertCountsExact(when: string) {
  for (const [query, where] of payloadCases) {
    assert.equal(await apiCount(`/v1/payloads?${query}`), await truth('payloads', where), `${when}: payloads ?${query}`);
  }
  for (const [query, where] of statusCases) {
    assert.equal(await apiCount(`/v1/statuses?${query}`), await truth('payload_statuses', where), `${when}: statuses ?${query}`);
  }
}

async function successRateTruth(since = '2026-11-24T12:00:00Z', database = app.database) {
  const { rows } = await sql<{ service: string; success: string; error: string }>`
    select service, count(*) filter (where status = 'success') as success, count(*) filter (where status = 'error') as error
    from payload_statuses where status in ('success', 'error') and date >= ${ts(since)}
    group by service order by service`.execute(database.db);
  return Object.fromEntries(rows.map((row) => [row.service, { success: Number(row.success), error: Number(row.error) }]));
}

/** SuccessRate's counts from every kind of edge (hour, minute, a millisecond beside the events) match the statuses. */
async function assertOutcomesExact(when: string) {
  const sinces = [
    '2026-11-24T09:59:59.999Z',
    '2026-11-24T10:00:00.001Z',
    '2026-11-24T10:29:59.5Z',
    '2026-11-24T10:30:00Z',
    '2026-11-24T11:59:59.999Z',
    '2026-11-24T12:00:00Z',
    '2026-10-01T11:59:30Z',
  ];
  for (const since of sinces) {
    const counted = await countOutcomesSince(app.database.db, new Date(since));
    const expected = await successRateTruth(since);
    assert.deepEqual(
      Object.fromEntries(counted.map(({ service, success, error }) => [service, { success, error }])),
      expected,
      `${when}: since ${since}`,
    );
  }
}

describe('exact counts from the hourly summaries', () => {
  test('every filter, on and beside hour edges', async () => {
    await assertCountsExact('as ingested');
    await assertOutcomesExact('as ingested');
  });

  /** Moves two payloads to other hours and accounts, and delivers one event again. */
  const movePayloads = () =>
    post([
      { request_id: requestId(3), service: 'ingress', status: 'processing', date: '2026-11-24T08:00:00Z' },
      { request_id: requestId(4), service: 'ingress', status: 'processing', date: '2026-11-24T10:45:00Z', account: 'acct9' },
      // Later than its other statuses: its last status changes.
      { request_id: requestId(6), service: 'ingress', status: 'processing', date: '2026-11-25T11:00:00Z' },
      // Delivered again: stored once, counted once.
      { request_id: requestId(5), service: 'ingress', status: 'received', date: '2026-11-24T12:15:00+01:00', org_id: 'org2' },
    ]);

  test('a payload that moves to an earlier hour or gains an account is counted where it is now', async () => {
    await movePayloads();
    await assertCountsExact('after moves');
    await assertOutcomesExact('after moves');
  });

  test('folding leaves one row per group and hour and changes no count', async () => {
    // Moves leave several delta rows in some groups: folding has work to do.
    await movePayloads();
    const summaryRows = async () => {
      const { rows } = await sql<{ unfolded: string; duplicates: string }>`
        select (select count(*) from payload_counts where not folded) as unfolded,
          (select count(*) from (select 1 from payload_counts group by hour, account, org_id having count(*) > 1) d) as duplicates`.execute(
        app.database.db,
      );
      return { unfolded: Number(rows[0].unfolded), duplicates: Number(rows[0].duplicates) };
    };
    assert.ok((await summaryRows()).duplicates > 0, 'before folding, some groups have several rows');
    await foldCounts(app.database.db);
    assert.deepEqual(await summaryRows(), { unfolded: 0, duplicates: 0 });
    const { rows } = await sql<{ unfolded: string; statuses: string; rows: string }>`
      select (select count(*) from outcome_counts where not folded) + (select count(*) from last_status_counts where not folded) as unfolded,
        (select count(distinct status) from last_status_counts) as statuses, (select count(*) from last_status_counts) as rows`.execute(
      app.database.db,
    );
    assert.equal(Number(rows[0].unfolded), 0);
    assert.equal(rows[0].rows, rows[0].statuses, 'one row per last status');
    await assertCountsExact('after folding');
    await assertOutcomesExact('after folding');
  });

  test('SuccessRate over the last 24 hours matches the statuses, the partial first hour included', async () => {
    const { body } = await request(`${app.url}/v1/stats?stat=SuccessRate`);
    const expected = await successRateTruth();
    assert.ok(Object.keys(expected).length > 0);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(body.data).map(([service, rate]: [string, any]) => [service, { success: rate.success, error: rate.error }]),
      ),
      expected,
    );
  });

  test('SuccessRate starts its window at the start of the minute 24 hours ago', async () => {
    const midMinute = await startTestApp({ now: () => new Date('2026-11-25T10:30:29.75Z'), env: { RETENTION_DAYS: '60' } });
    try {
      const token = bearer(await midMinute.token(['statuses:write']));
      assert.equal((await request(`${midMinute.url}/v1/statuses`, { headers: token, body: events() })).status, 200);
      const { body } = await request(`${midMinute.url}/v1/stats?stat=SuccessRate`);
      assert.equal(body.message, 'success rate of each service since 2026-11-24T10:30:00.000Z');
      const expected = await successRateTruth('2026-11-24T10:30:00Z', midMinute.database);
      assert.ok(expected.puptoo.success > 0, 'statuses dated exactly at the window start count');
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(body.data).map(([service, rate]: [string, any]) => [service, { success: rate.success, error: rate.error }]),
        ),
        expected,
      );
    } finally {
      await midMinute.close();
    }
  });

  test('retention takes the counts of dropped days and deleted payloads with it', async () => {
    const result = await applyRetention(app.database.db, new PartitionKeeper(app.database.db), 30, NOW);
    assert.deepEqual(result.droppedPartitions, ['payload_statuses_p20261001', 'payload_statuses_p20261002']);
    assert.ok(result.deletedPayloads > 0);
    await assertCountsExact('after retention');
    await assertOutcomesExact('after retention');
    const { rows } = await sql<{ n: string }>`select count(*) as n from outcome_counts where minute < '2026-10-03'`.execute(
      app.database.db,
    );
    assert.equal(Number(rows[0].n), 0, "the dropped days' outcome counts went with them");
    await foldCounts(app.database.db);
    await assertCountsExact('after retention and folding');
    await assertOutcomesExact('after retention and folding');
  });
});

test('the summaries count the rows stored before migrations 0005, 0015 and 0016 added them', async () => {
  const database = await freshDatabase(loadMigrations().filter((migration) => migration.version < 5));
  try {
    await new PartitionKeeper(database.db).ensure(['2026-11-24', '2026-11-25']);
    await sql`insert into payloads (request_id, account, org_id, created_at)
      select 'p' || i, 'acct' || (i % 3), null, timestamptz '2026-11-24 20:00Z' + i * interval '7 minutes'
      from generate_series(1, 200) i`.execute(database.db);
    await sql`insert into payload_statuses (payload_id, service, status, date)
      select id, 'svc' || (id % 4), case when id % 5 = 0 then 'error' else 'success' end, created_at + interval '1 second'
      from payloads`.execute(database.db);
    await migrate(database);
    const counted = async (query: ReturnType<typeof sql>) => Number((await sql<{ n: string }>`${query}`.execute(database.db)).rows[0].n);
    const since = '2026-11-25T01:30:00Z';
    assert.equal(
      await countPayloads(database.db, { account: 'acct1', createdAt: { gte: since } }),
      await counted(sql`select count(*) as n from payloads where account = 'acct1' and created_at >= ${since}::timestamptz`),
    );
    assert.equal(
      await countStatuses(database.db, { status: 'error', date: {}, createdAt: {} }),
      await counted(sql`select count(*) as n from payload_statuses where status = 'error'`),
    );
    assert.equal(
      await countPayloads(database.db, { lastStatus: 'error', createdAt: {} }),
      await counted(sql`select count(*) as n from payload_statuses where status = 'error'`),
    );
    // 01:30:30 is mid-minute: the minutes summed by 0015 and the statuses of the partial minute.
    const outcomes = await countOutcomesSince(database.db, new Date('2026-11-25T01:30:30Z'));
    const success = outcomes.reduce((sum, { success }) => sum + success, 0);
    assert.ok(success > 0);
    assert.equal(
      success,
      await counted(sql`select count(*) as n from payload_statuses where status = 'success' and date >= '2026-11-25T01:30:30Z'`),
    );
  } finally {
    await database.close();
  }
});
