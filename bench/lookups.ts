/**
 * Lookup benchmark: PAYLOADS payloads (default 1,000,000) with about ten
 * statuses each, generated in SQL over 7 days into a fresh PostgreSQL database
 * (BENCH_DATABASE_URL, default the local server); then p50 and p99 of each
 * lookup the frontend makes, over real HTTP, one request at a time.
 *
 *   node bench/lookups.ts [--payloads 1000000] [--requests 200] [--explain]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { enqueueOnlyReportQueue, withBenchDatabase } from './bench-database.ts';
import { ensureUpcomingPartitions } from '../src/worker/retention.ts';

const { values } = parseArgs({
  options: {
    payloads: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    explain: { type: 'boolean', default: false },
  },
});
const PAYLOADS = Number(values.payloads);
const REQUESTS = Number(values.requests);
const NOW = new Date();
const WEEK_AGO = new Date(NOW.getTime() - 7 * 86_400_000);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

await withBenchDatabase(async (database) => {
  const partitions = new PartitionKeeper(database.db);
  await partitions.ensure(Array.from({ length: 9 }, (_, i) => new Date(WEEK_AGO.getTime() + (i - 1) * 86_400_000).toISOString().slice(0, 10)));
  await ensureUpcomingPartitions(partitions, NOW);
  let started = performance.now();
  // Payloads spread over the week, five orgs and fifty accounts; 5 to 9 services each, 1 or 2 statuses per service.
  await sql`
    insert into payloads (request_id, account, org_id, inventory_id, created_at)
    select md5(i::text), 'acct' || (i % 50), 'org' || (i % 5), md5('inv' || i)::uuid,
      ${WEEK_AGO.toISOString()}::timestamptz + (i::float8 / ${PAYLOADS}) * interval '7 days'
    from generate_series(1, ${PAYLOADS}) i`.execute(database.db);
  await sql`
    insert into payload_statuses (payload_id, service, source, status, status_msg, date)
    select p.id, svc.name, case when svc.n % 3 = 0 then 'insights-client' end,
      st.status, case when st.status = 'error' then 'could not parse the archive' end,
      p.created_at + (svc.n * 2 + st.k) * interval '1 second'
    from payloads p
    cross join lateral (select n, (array['ingress','puptoo','inventory','storage-broker','insights-engine','ccx-rules','advisor','compliance','vulnerability'])[n] as name
      from generate_series(1, 5 + (p.id % 5)::int) n) svc
    cross join lateral (select k, case when k = 0 then 'received' when (p.id + svc.n) % 10 = 0 then 'error' else 'success' end as status
      from generate_series(0, case when (p.id + svc.n) % 2 = 0 then 1 else 0 end) k) st`.execute(database.db);
  await sql`analyze`.execute(database.db);
  const counts = await sql<{ payloads: string; statuses: string }>`
    select (select count(*) from payloads)::text as payloads, (select count(*) from payload_statuses)::text as statuses`.execute(database.db);
  console.log(`generated ${counts.rows[0].payloads} payloads and ${counts.rows[0].statuses} statuses in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const queue = await enqueueOnlyReportQueue(database, config);
  const app = await buildApp({ db: database.db, config, enqueueReport: queue.enqueue });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const windowStart = new Date(WEEK_AGO.getTime() + 3 * 86_400_000);
  const windowEnd = new Date(windowStart.getTime() + 15 * 60_000);
  const lookups: [string, (i: number) => string][] = [
    ['GET /v1/payloads/{request_id}', (i) => `/v1/payloads/${md5Of(1 + ((i * 7919) % PAYLOADS))}`],
    ['GET /v1/payloads (default page, exact count)', () => '/v1/payloads'],
    ['GET /v1/payloads?account=…', (i) => `/v1/payloads?account=acct${i % 50}`],
    ['GET /v1/payloads 15-minute created_at window', () => `/v1/payloads?created_at_gte=${windowStart.toISOString()}&created_at_lt=${windowEnd.toISOString()}`],
    ['GET /v1/statuses?service=…&status=error', (i) => `/v1/statuses?service=${['puptoo', 'inventory', 'advisor'][i % 3]}&status=error`],
    ['GET /v1/stats?stat=SuccessRate', () => '/v1/stats?stat=SuccessRate'],
  ];
  console.log('| lookup | p50 ms | p99 ms |');
  console.log('| --- | --- | --- |');
  for (const [label, path] of lookups) {
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      started = performance.now();
      const response = await fetch(`${base}${path(i)}`);
      await response.arrayBuffer();
      times.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${label} answered ${response.status}`);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${label} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} |`);
  }
  await app.close();
  await queue.stop();
});

/** The request IDs generated above are md5 of the row number. */
function md5Of(i: number) {
  return createHash('md5').update(String(i)).digest('hex');
}
