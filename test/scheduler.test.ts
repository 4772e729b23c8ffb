import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MAX_CATCH_UP_PERIODS, runDueSchedules } from '../src/schedules/scheduler.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

let clock = new Date();
let app: TestApp;
let writer: Record<string, string>;

before(async () => {
  app = await startTestApp({ now: () => clock, renderReports: false });
  writer = bearer(await app.token(['data-reports:read', 'data-reports:write'], 'org-clock', 'planner'));
});
after(() => app.close());
// Each test's clock jumps far; the schedules of earlier tests would catch up on every tick.
afterEach(async () => {
  await sql`delete from report_schedules`.execute(app.database.db);
});

const tick = () => runDueSchedules({ db: app.database.db, enqueue: app.reportQueue.enqueue, now: () => clock });

async function schedule(at: string, attrs: Record<string, unknown>): Promise<string> {
  clock = new Date(at);
  const { status, body } = await request(`${app.url}/api/v1/reports/schedules`, {
    headers: writer,
    body: { attrs: { name: `s-${Math.random()}`, type: 'statuses', send_to: ['ops@example.com'], ...attrs } },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body.data.schedule.id;
}

/** The periods run for a schedule, as the UTC instants of their report jobs' spans, and as local text. */
async function periods(scheduleId: string) {
  const { rows } = await sql<{ from: string; to: string; local: string; hours: number }>`
    select to_char(j.span_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as from,
      to_char(j.span_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as to,
      j.span_from_text || ' to ' || j.span_to_text as local,
      extract(epoch from j.span_to - j.span_from)::int / 3600 as hours
    from schedule_runs r join report_jobs j on j.id = r.report_job_id
    where r.schedule_id = ${scheduleId}::bigint order by r.period_start`.execute(app.database.db);
  return rows;
}

describe('daily schedules across daylight-saving changes', () => {
  test('Europe/Rome, spring: 2026-03-29 is 23 hours', async () => {
    const id = await schedule('2026-03-28T12:00:00Z', { schedule: 'daily', timezone: 'Europe/Rome' });
    clock = new Date('2026-03-28T22:59:59Z'); // 23:59:59 local: the day has not ended
    assert.equal(await tick(), 0);
    clock = new Date('2026-03-28T23:00:00Z'); // midnight in Rome
    assert.equal(await tick(), 1);
    clock = new Date('2026-03-29T22:00:30Z'); // 00:00:30 on the 30th, summer time
    assert.equal(await tick(), 1);
    assert.deepEqual(await periods(id), [
      { from: '2026-03-27T23:00Z', to: '2026-03-28T23:00Z', local: '2026-03-28T00:00:00 to 2026-03-29T00:00:00', hours: 24 },
      { from: '2026-03-28T23:00Z', to: '2026-03-29T22:00Z', local: '2026-03-29T00:00:00 to 2026-03-30T00:00:00', hours: 23 },
    ]);
  });

  test('Europe/Rome, autumn: 2026-10-25 is 25 hours', async () => {
    const id = await schedule('2026-10-25T08:00:00Z', { schedule: 'daily', timezone: 'Europe/Rome' });
    clock = new Date('2026-10-25T22:59:00Z');
    assert.equal(await tick(), 0);
    clock = new Date('2026-10-25T23:00:00Z');
    assert.equal(await tick(), 1);
    assert.deepEqual(await periods(id), [
      { from: '2026-10-24T22:00Z', to: '2026-10-25T23:00Z', local: '2026-10-25T00:00:00 to 2026-10-26T00:00:00', hours: 25 },
    ]);
  });

  test('America/New_York, spring: 2026-03-08 is 23 hours', async () => {
    const id = await schedule('2026-03-08T12:00:00Z', { schedule: 'daily', timezone: 'America/New_York' });
    clock = new Date('2026-03-09T04:00:00Z');
    assert.equal(await tick(), 1);
    assert.deepEqual(await periods(id), [
      { from: '2026-03-08T05:00Z', to: '2026-03-09T04:00Z', local: '2026-03-08T00:00:00 to 2026-03-09T00:00:00', hours: 23 },
    ]);
  });

  test('America/New_York, autumn: 2026-11-01 is 25 hours', async () => {
    const id = await schedule('2026-11-01T12:00:00Z', { schedule: 'daily', timezone: 'America/New_York' });
    clock = new Date('2026-11-02T04:59:00Z');
    assert.equal(await tick(), 0);
    clock = new Date('2026-11-02T05:00:00Z');
    assert.equal(await tick(), 1);
    assert.deepEqual(await periods(id), [
      { from: '2026-11-01T04:00Z', to: '2026-11-02T05:00Z', local: '2026-11-01T00:00:00 to 2026-11-02T00:00:00', hours: 25 },
    ]);
  });
});

describe('weeks, months and a leap day', () => {
  test('weekly: Monday to Sunday', async () => {
    const id = await schedule('2026-11-25T12:00:00Z', { schedule: 'weekly', timezone: 'Europe/Rome' }); // a Wednesday
    clock = new Date('2026-11-29T22:59:00Z'); // Sunday 23:59 in Rome
    assert.equal(await tick(), 0);
    clock = new Date('2026-11-29T23:00:00Z');
    assert.equal(await tick(), 1);
    assert.deepEqual(await periods(id), [
      { from: '2026-11-22T23:00Z', to: '2026-11-29T23:00Z', local: '2026-11-23T00:00:00 to 2026-11-30T00:00:00', hours: 168 },
    ]);
  });

  test('monthly: calendar months across a month end, including the 29 days of February 2028', async () => {
    const id = await schedule('2028-01-15T12:00:00Z', { schedule: 'monthly', timezone: 'America/New_York' });
    clock = new Date('2028-03-01T05:00:00Z');
    assert.equal(await tick(), 2);
    assert.deepEqual(await periods(id), [
      { from: '2028-01-01T05:00Z', to: '2028-02-01T05:00Z', local: '2028-01-01T00:00:00 to 2028-02-01T00:00:00', hours: 744 },
      { from: '2028-02-01T05:00Z', to: '2028-03-01T05:00Z', local: '2028-02-01T00:00:00 to 2028-03-01T00:00:00', hours: 696 },
    ]);
  });

  test('daily over the leap day', async () => {
    const id = await schedule('2028-02-28T12:00:00Z', { schedule: 'daily', timezone: 'UTC' });
    clock = new Date('2028-03-01T00:00:00Z');
    assert.equal(await tick(), 2);
    assert.deepEqual(
      (await periods(id)).map((period) => period.local),
      ['2028-02-28T00:00:00 to 2028-02-29T00:00:00', '2028-02-29T00:00:00 to 2028-03-01T00:00:00'],
    );
  });
});

describe('once per period', () => {
  test('workers racing run each period once', async () => {
    const id = await schedule('2030-01-01T12:00:00Z', { schedule: 'daily', timezone: 'UTC' });
    clock = new Date('2030-01-05T00:00:10Z');
    const counts = await Promise.all([tick(), tick(), tick(), tick()]);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      4,
    );
    assert.deepEqual(
      (await periods(id)).map((period) => period.from),
      ['2030-01-01T00:00Z', '2030-01-02T00:00Z', '2030-01-03T00:00Z', '2030-01-04T00:00Z'],
    );
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from report_jobs where schedule_id = ${id}::bigint`.execute(
      app.database.db,
    );
    assert.equal(rows[0].n, 4);
    assert.equal(await tick(), 0);
  });

  test('after downtime the missed periods run once each, up to the limit', async () => {
    const id = await schedule('2031-01-01T12:00:00Z', { schedule: 'daily', timezone: 'UTC' });
    clock = new Date('2031-03-01T06:00:00Z'); // 59 days later
    assert.equal(await tick(), MAX_CATCH_UP_PERIODS);
    const run = await periods(id);
    assert.equal(run.length, MAX_CATCH_UP_PERIODS);
    assert.equal(run.at(-1)?.from, '2031-02-28T00:00Z');
    assert.equal(run[0].from, '2031-01-29T00:00Z');
    clock = new Date('2031-03-02T00:00:00Z');
    assert.equal(await tick(), 1);
  });

  test('start_timestamp and end_timestamp follow the runs', async () => {
    const id = await schedule('2032-01-01T12:00:00Z', { schedule: 'daily', timezone: 'UTC' });
    const shown = async () => (await request(`${app.url}/api/v1/reports/schedules/${id}`, { headers: writer })).body.data.schedule;
    assert.equal((await shown()).start_timestamp, null);
    clock = new Date('2032-01-02T00:01:00Z');
    await tick();
    assert.equal((await shown()).start_timestamp, Date.parse('2032-01-02T00:01:00Z') * 1000);
    clock = new Date('2032-01-03T00:02:00Z');
    await tick();
    assert.equal((await shown()).start_timestamp, Date.parse('2032-01-02T00:01:00Z') * 1000);
    assert.equal((await shown()).end_timestamp, Date.parse('2032-01-03T00:02:00Z') * 1000);
  });
});
