import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/db/create-db.ts';
import { daysAround, PartitionKeeper } from '../src/db/partitions.ts';

export const SERVICES = [
  'ingress',
  'puptoo',
  'inventory',
  'storage-broker',
  'insights-engine',
  'ccx-rules',
  'advisor',
  'compliance',
  'vulnerability',
];

/** The request IDs generated below are md5 of the row number, 1-based. */
export function requestIdOf(i: number): string {
  return createHash('md5').update(String(i)).digest('hex');
}

/** Gathering results: one request a payload for the first GATHERING_REQUESTS, over CLUSTERS clusters of the five orgs. */
export const GATHERING_REQUESTS = 100_000;
const CLUSTERS = 10_000;

/** The cluster of the `i`th gathering request (1-based), and its org. */
export function gatheringClusterOf(i: number): { clusterId: string; orgId: string } {
  const cluster = i % CLUSTERS;
  const hex = createHash('md5').update(`cluster${cluster}`).digest('hex');
  const clusterId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { clusterId, orgId: `org${cluster % 5}` };
}

/**
 * PAYLOADS payloads spread over the 7 days before `now`, five orgs and fifty
 * accounts; 5 to 9 services each with 1 to 4 statuses (mostly one, so about
 * ten a payload), one service in ten ending in an error; and GATHERING_REQUESTS
 * gathering results. Generated in SQL, then vacuumed and
 * analyzed as autovacuum would shortly after such a load, and checkpointed.
 */
export async function generateScaleData(database: Database, payloads: number, now: Date): Promise<{ payloads: number; statuses: number }> {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  await new PartitionKeeper(database.db).ensure(daysAround(now, -8, 3));
  await sql`
    insert into payloads (request_id, account, org_id, inventory_id, created_at)
    select md5(i::text), 'acct' || (i % 50), 'org' || (i % 5), md5('inv' || i)::uuid,
      ${weekAgo.toISOString()}::timestamptz + (i::float8 / ${payloads}) * interval '7 days'
    from generate_series(1, ${payloads}) i`.execute(database.db);
  await sql`
    insert into payload_statuses (payload_id, service, source, status, status_msg, date)
    select p.id, svc.name, case when svc.n % 3 = 0 then 'insights-client' end, st.status,
      case when st.status = 'error' then 'could not parse the archive' end,
      p.created_at + (svc.n * 4 + st.k) * interval '1 second'
    from payloads p
    cross join lateral (select n, (${SERVICES}::text[])[n] as name from generate_series(1, 5 + (p.id % 5)::int) n) svc
    cross join lateral (
      select k, (array['received', 'processing', 'validated',
          case when (p.id + svc.n) % 10 = 0 then 'error' else 'success' end])[k + 4 - steps] as status
      from (select case when x < 14 then 1 when x < 18 then 2 else x - 15 end as steps
        from (select ((p.id * 7 + svc.n) % 20)::int as x) h) s,
      generate_series(1, steps) k) st`.execute(database.db);
  // Stored in the last 12 hours, well inside the default GATHERING_TTL of 24 hours.
  await sql`
    insert into gathering_requests (org_id, cluster_id, request_id, received, processed)
    select 'org' || (i % ${CLUSTERS} % 5), md5('cluster' || (i % ${CLUSTERS}))::uuid, md5(i::text),
      ${now.toISOString()}::timestamptz - (i::float8 / ${GATHERING_REQUESTS}) * interval '12 hours' - interval '1 minute',
      ${now.toISOString()}::timestamptz - (i::float8 / ${GATHERING_REQUESTS}) * interval '12 hours'
    from generate_series(1, ${GATHERING_REQUESTS}) i`.execute(database.db);
  await sql`vacuum analyze`.execute(database.db);
  // Write the load's dirty pages out now, so that the checkpoint it triggers does not run under the lookups.
  await sql`checkpoint`.execute(database.db);
  const { rows } = await sql<{ payloads: string; statuses: string }>`
    select (select count(*) from payloads) as payloads, (select count(*) from payload_statuses) as statuses`.execute(database.db);
  return { payloads: Number(rows[0].payloads), statuses: Number(rows[0].statuses) };
}
