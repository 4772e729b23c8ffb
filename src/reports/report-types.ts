import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { formatDuration } from '../shared/measures.ts';
import { canonicalUuid } from '../shared/request-id.ts';
import {
  afterCursor,
  hostCondition,
  keysetBatches,
  LOCAL_TIME,
  serviceCondition,
  type Cursor,
  type ReportScope,
  type ReportSource,
} from './report-scope.ts';
import { generic, successRate } from './summary-reports.ts';
import type { ReportRow } from './writers.ts';

export const REPORT_TYPES = ['statuses', 'payloads', 'success-rate'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/**
 * The scope's hosts no payload with a status in the span belongs to: the
 * report found nothing for them (a host name never matches).
 */
export async function hostsWithoutData(db: Kysely<Schema>, scope: ReportScope): Promise<string[]> {
  const ids = (scope.hosts ?? []).filter((host) => canonicalUuid(host) === host);
  if (ids.length === 0) return scope.hosts ?? [];
  const { rows } = await sql<{ host: string }>`
    select h.host from unnest(${ids}::uuid[]) h(host)
    where exists (
      select 1 from payloads p join payload_statuses s on s.payload_id = p.id
      where p.org_id = ${scope.orgId} and s.date >= ${scope.from}::timestamptz and s.date < ${scope.to}::timestamptz
        and (p.inventory_id = h.host or p.system_id = h.host or exists (
          select 1 from gathering_requests g where g.org_id = p.org_id and g.request_id = p.request_id and g.cluster_id = h.host)))`.execute(
    db,
  );
  const found = new Set(rows.map((row) => row.host));
  return (scope.hosts ?? []).filter((host) => !found.has(host));
}

/**
 * The span's statuses of the org's payloads, in (date, id) order. Each batch
 * walks at most `limit` statuses of the span, whoever's they are, and keeps
 * those of the org's payloads (looked up one by one, the subquery fenced with
 * `offset 0` so the planner cannot turn it into a join that reads the org's
 * every payload): its cost is bounded however few of the span's statuses are
 * the org's. Flattened, the planner hash-joined the whole span and sorted it
 * for every batch of an unanalyzed table (71 ms for 18 rows on PGlite).
 */
const statuses: ReportSource = {
  columns: ['date', 'request_id', 'service', 'source', 'status', 'status_msg', 'account', 'org_id', 'inventory_id', 'system_id'],
  async *batches(db, scope, batchSize) {
    const batches = keysetBatches(db, scope, batchSize, async (trx, after, limit) => {
      const { rows } = await sql<ReportRow & Cursor & { request_id: string | null }>`
        select to_char(s.date, ${LOCAL_TIME}) as date, p.request_id, s.service, s.source, s.status,
          case when p.request_id is not null then s.status_msg end as status_msg,
          p.account, p.org_id, p.inventory_id, p.system_id, s.date as cursor_at, s.id as cursor_id
        from (
          select * from payload_statuses s
          where s.date >= ${scope.from}::timestamptz and s.date < ${scope.to}::timestamptz ${afterCursor('s.date', 's.id', after)}
          order by s.date, s.id
          limit ${limit}) s
        left join lateral (
          select request_id, account, org_id, inventory_id, system_id from payloads p
          where p.id = s.payload_id and p.org_id = ${scope.orgId} and ${hostCondition(scope)} and ${serviceCondition(scope)}
          offset 0) p on true
        order by s.date, s.id`.execute(trx);
      return rows;
    });
    for await (const rows of batches) {
      yield rows.filter((row) => row.request_id !== null).map(({ cursor_at: _at, cursor_id: _id, ...row }) => row);
    }
  },
};

/**
 * Payloads created in the span, each with its first and last status, the time
 * between, and each service's latest status. Read per batch in two statements:
 * the batch's payloads, then the statuses of all of them at once, bounded by
 * the batch's first creation and last status dates so that only those days'
 * partitions are read. Looking each payload's statuses up on its own (two
 * lateral subqueries a row) cost 8.8 ms a row on the embedded database, in one
 * statement that held the event loop for a whole batch.
 */
const payloads: ReportSource = {
  columns: [
    'request_id',
    'account',
    'org_id',
    'inventory_id',
    'system_id',
    'created_at',
    'first_status_at',
    'last_status_at',
    'total_time',
    'services',
  ],
  async *batches(db, scope, batchSize) {
    const batches = keysetBatches(db, scope, batchSize, async (trx, after, limit) => {
      const { rows } = await sql<PayloadRow>`
        select p.request_id, p.account, p.org_id, p.inventory_id, p.system_id, to_char(p.created_at, ${LOCAL_TIME}) as created_at,
          p.created_at as cursor_at, p.id as cursor_id, l.date as last_at
        from payloads p left join payload_latest l on l.payload_id = p.id
        where p.org_id = ${scope.orgId} and p.created_at >= ${scope.from}::timestamptz and p.created_at < ${scope.to}::timestamptz
          and ${hostCondition(scope)} ${afterCursor('p.created_at', 'p.id', after)}
        order by p.created_at, p.id
        limit ${limit}`.execute(trx);
      if (rows.length === 0) return [];
      const spans = new Map((await statusSpans(trx, scope, rows)).map((span) => [span.payload_id, span]));
      return rows.map((row) => ({ ...row, span: spans.get(row.cursor_id) }));
    });
    for await (const rows of batches) {
      // With services named, a payload none of them reported on is not in the report.
      const kept = scope.services?.length ? rows.filter((row) => row.span) : rows;
      yield kept.map(({ cursor_at: _at, cursor_id: _id, last_at: _last, span, ...row }) => ({
        ...row,
        first_status_at: span?.first_status_at ?? null,
        last_status_at: span?.last_status_at ?? null,
        total_time: span ? formatDuration(BigInt(span.total_us)) : null,
        services: span?.services ?? {},
      }));
    }
  },
};

interface PayloadRow extends ReportRow, Cursor {
  last_at: string | null;
}

interface StatusSpan {
  payload_id: string;
  first_status_at: string;
  last_status_at: string;
  total_us: string;
  services: Record<string, string>;
}

/** For each payload of `rows` with a status (of the scope's services), its first and last status and each service's latest. */
async function statusSpans(trx: Transaction<Schema>, scope: ReportScope, rows: PayloadRow[]): Promise<StatusSpan[]> {
  // A payload's statuses lie between its creation (its first status) and its latest status (payload_latest).
  const earliest = rows[0].cursor_at;
  const latest = rows.some((row) => row.last_at === null)
    ? 'infinity'
    : rows.reduce((max, row) => (row.last_at! > max ? row.last_at! : max), earliest);
  const { rows: spans } = await sql<StatusSpan>`
    select payload_id, to_char(min(first), ${LOCAL_TIME}) as first_status_at, to_char(max(last), ${LOCAL_TIME}) as last_status_at,
      ((extract(epoch from max(last)) - extract(epoch from min(first))) * 1000000)::bigint as total_us,
      json_object_agg(service, status) as services
    from (
      select s.payload_id, s.service, min(s.date) as first, max(s.date) as last,
        (array_agg(s.status order by s.date desc, s.id desc))[1] as status
      from payload_statuses s
      where s.payload_id = any(${rows.map((row) => row.cursor_id)}::bigint[])
        and s.date >= ${earliest}::timestamptz and s.date <= ${latest}::timestamptz and ${serviceCondition(scope)}
      group by s.payload_id, s.service) per_service
    group by payload_id`.execute(trx);
  return spans;
}

/** Every type a job may have: those asked for directly, and `generic`, which only schedules run. */
export const JOB_TYPES = [...REPORT_TYPES, 'generic'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const REPORT_SOURCES: Record<JobType, ReportSource> = {
  statuses,
  payloads,
  'success-rate': successRate,
  generic,
};
