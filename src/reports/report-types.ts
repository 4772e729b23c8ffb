import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { formatDuration, percent } from '../shared/measures.ts';
import { canonicalUuid } from '../shared/request-id.ts';
import type { ReportRow } from './writers.ts';

export const REPORT_TYPES = ['statuses', 'payloads', 'success-rate'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** What a report reads: one org's data in [from, to), times shown in `timezone`. */
export interface ReportScope {
  orgId: string;
  from: string;
  to: string;
  timezone: string;
  /**
   * Only payloads of these hosts (empty: all): inventory, system or cluster IDs
   * match; a host name matches nothing, since no event carries one.
   */
  hosts?: string[];
  /** Only statuses of these services (empty: all). */
  services?: string[];
}

/** The payload `p` belongs to one of the scope's hosts, when it names any. */
function hostCondition(scope: ReportScope) {
  if (!scope.hosts?.length) return sql`true`;
  const hosts = sql`${scope.hosts.filter((host) => canonicalUuid(host) === host)}::uuid[]`;
  return sql`(p.inventory_id = any(${hosts}) or p.system_id = any(${hosts}) or exists (
    select 1 from gathering_requests g where g.org_id = p.org_id and g.request_id = p.request_id and g.cluster_id = any(${hosts})))`;
}

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

/** The status `s` is of one of the scope's services, when it names any. */
function serviceCondition(scope: ReportScope, alias = 's') {
  return scope.services?.length ? sql`${sql.ref(`${alias}.service`)} = any(${scope.services}::text[])` : sql`true`;
}

export interface ReportSource {
  columns: string[];
  /** The rows in batches, in a stable order; each batch is read in its own short transaction. */
  batches(db: Kysely<Schema>, scope: ReportScope, batchSize: number): AsyncGenerator<ReportRow[]>;
}

// Keyset paging repeats the leading column as a plain bound: PostgreSQL then starts each
// batch's index scan at the previous batch's end, rather than at the span's start.

// A time in the session's zone, with its offset: 2026-03-29T03:00:00.000000+02:00.
const LOCAL_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM';

/**
 * Reads one batch in a transaction of its own with the session in the report's
 * time zone, so that PostgreSQL prints local times with their offsets. Short
 * transactions keep the embedded database free for the API between batches.
 */
function inZone<T>(db: Kysely<Schema>, timezone: string, read: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('TimeZone', ${timezone}, true)`.execute(trx);
    return read(trx);
  });
}

/** Where the previous batch ended: its last row's time (UTC text) and id. */
interface Cursor {
  cursor_at: string;
  cursor_id: string;
}

/** Rows after the cursor in (`column`, `idColumn`) order. */
function afterCursor(column: string, idColumn: string, after: Cursor | undefined) {
  if (!after) return sql``;
  const at = sql`${after.cursor_at}::timestamptz`;
  return sql`and ${sql.ref(column)} >= ${at} and (${sql.ref(column)}, ${sql.ref(idColumn)}) > (${at}, ${after.cursor_id}::bigint)`;
}

/**
 * How long one batch's read is meant to take. The embedded database runs a
 * statement on the event loop, so a read holds every request for its length;
 * batches are sized to this, from what the previous one took (waiting behind
 * API queries included, so a busy database gets smaller ones).
 */
const READ_BUDGET_MS = 40;
const FIRST_BATCH_ROWS = 100;

/** The next batch's size: the rows `tookMs` read, scaled to the budget, at most doubled, within 10 and `most`. */
export function nextBatchSize(rows: number, tookMs: number, most: number): number {
  const fitting = Math.floor((rows * READ_BUDGET_MS) / Math.max(tookMs, 1));
  return Math.max(Math.min(10, most), Math.min(fitting, rows * 2, most));
}

/**
 * Reads a keyset-ordered query batch after batch, each batch in its zone-set
 * transaction, until one comes back short; `read` takes the cursor and how
 * many rows to read (at most `batchSize`, see READ_BUDGET_MS).
 */
async function* keysetBatches<R extends Cursor>(
  db: Kysely<Schema>,
  scope: ReportScope,
  batchSize: number,
  read: (trx: Transaction<Schema>, after: Cursor | undefined, limit: number) => Promise<R[]>,
): AsyncGenerator<R[]> {
  let after: Cursor | undefined;
  let limit = Math.min(FIRST_BATCH_ROWS, batchSize);
  for (;;) {
    const started = performance.now();
    const rows = await inZone(db, scope.timezone, (trx) => read(trx, after, limit));
    if (rows.length === 0) return;
    const { cursor_at, cursor_id } = rows[rows.length - 1];
    after = { cursor_at, cursor_id };
    yield rows;
    if (rows.length < limit) return;
    limit = nextBatchSize(rows.length, performance.now() - started, batchSize);
  }
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

const successRate: ReportSource = {
  columns: ['service', 'success', 'error', 'success_percent', 'error_percent'],
  async *batches(db, scope) {
    const { rows } = await sql<{ service: string; success: string; error: string }>`
      select s.service,
        count(*) filter (where s.status = 'success') as success,
        count(*) filter (where s.status = 'error') as error
      from payload_statuses s join payloads p on p.id = s.payload_id
      where p.org_id = ${scope.orgId} and s.date >= ${scope.from}::timestamptz and s.date < ${scope.to}::timestamptz
        and s.status in ('success', 'error') and ${hostCondition(scope)} and ${serviceCondition(scope)}
      group by s.service order by s.service`.execute(db);
    yield rows.map((row) => {
      const success = Number(row.success);
      const error = Number(row.error);
      return {
        service: row.service,
        success,
        error,
        success_percent: percent(success, success + error),
        error_percent: percent(error, success + error),
      };
    });
  },
};

/**
 * The summary a schedule of type `generic` mails: per service, how many
 * payloads it handled, its success rate, and the median and 95th percentile of
 * the time a payload spent in it (its first status to its last).
 */
const generic: ReportSource = {
  columns: ['service', 'payloads', 'statuses', 'success', 'error', 'success_percent', 'median_time', 'p95_time'],
  async *batches(db, scope) {
    const { rows } = await sql<{
      service: string;
      payloads: string;
      statuses: string;
      success: string;
      error: string;
      median_us: string;
      p95_us: string;
    }>`
      select service, count(*) as payloads, sum(statuses) as statuses, sum(success) as success, sum(error) as error,
        round(percentile_cont(0.5) within group (order by spent_us))::bigint as median_us,
        round(percentile_cont(0.95) within group (order by spent_us))::bigint as p95_us
      from (
        select s.payload_id, s.service, count(*) as statuses,
          count(*) filter (where s.status = 'success') as success, count(*) filter (where s.status = 'error') as error,
          (extract(epoch from max(s.date)) - extract(epoch from min(s.date))) * 1000000 as spent_us
        from payload_statuses s join payloads p on p.id = s.payload_id
        where p.org_id = ${scope.orgId} and s.date >= ${scope.from}::timestamptz and s.date < ${scope.to}::timestamptz
          and ${hostCondition(scope)} and ${serviceCondition(scope)}
        group by s.payload_id, s.service) per_payload
      group by service order by service`.execute(db);
    yield rows.map((row) => {
      const success = Number(row.success);
      const error = Number(row.error);
      return {
        service: row.service,
        payloads: Number(row.payloads),
        statuses: Number(row.statuses),
        success,
        error,
        success_percent: percent(success, success + error),
        median_time: formatDuration(BigInt(row.median_us)),
        p95_time: formatDuration(BigInt(row.p95_us)),
      };
    });
  },
};

/** Every type a job may have: those asked for directly, and `generic`, which only schedules run. */
export const JOB_TYPES = [...REPORT_TYPES, 'generic'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const REPORT_SOURCES: Record<JobType, ReportSource> = {
  statuses,
  payloads,
  'success-rate': successRate,
  generic,
};
