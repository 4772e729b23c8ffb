import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { allOf, equals, isBounded, timeConditions, type Condition, type TimeRange } from '../shared/conditions.ts';

/*
 * Exact counts from the hourly summaries of migration 0005: the sum of the
 * summary rows of the hours wholly inside the time filter, plus the base rows of
 * the partial hours at its edges, counted from the base table's index, in one
 * statement so that both parts come from the same snapshot.
 */

/** A span of whole hours, as SQL: from `from` up to, not including, `to`. */
interface Hours {
  from: RawBuilder<string>;
  to: RawBuilder<string>;
}

const at = (value: string | undefined) => sql`${value ?? null}::timestamptz`;

/**
 * The hours wholly inside `range`: from the first hour boundary at (or after,
 * for `gt`) its lower bound to the last one at or before its upper bound;
 * -infinity and infinity where it is open. Immutable, so folded into constants.
 */
function wholeHours(range: TimeRange): Hours {
  return {
    from: sql<string>`greatest(
      count_hour(${at(range.gte)} - interval '1 microsecond') + interval '1 hour',
      count_hour(${at(range.gt)}) + interval '1 hour',
      '-infinity'::timestamptz)`,
    to: sql<string>`least(count_hour(${at(range.lt)}), count_hour(${at(range.lte)}), 'infinity'::timestamptz)`,
  };
}

const outside = (column: string, hours: Hours) => sql<boolean>`(${sql.ref(column)} < ${hours.from} or ${sql.ref(column)} >= ${hours.to})`;

const inside = (hours: Hours) => sql<boolean>`hour >= ${hours.from} and hour < ${hours.to}`;

/**
 * The columns the summaries count by, besides the hour (migration 0005's
 * tables and triggers); test/sql-mirrors.test.ts fails when the two drift.
 * A filter on any other column is counted from the base table.
 */
export const PAYLOAD_COUNT_DIMENSIONS = ['account', 'org_id'] as const;
export const STATUS_COUNT_DIMENSIONS = ['service', 'source', 'status'] as const;

/** Conditions on the summary rows: each dimension equal to every value the filters give it. */
function dimensionConditions<D extends string>(dimensions: readonly D[], values: Record<D, (string | undefined)[]>): Condition[] {
  return dimensions.flatMap((dimension) => values[dimension].flatMap((value) => equals(dimension, value)));
}

async function countOf(db: Kysely<Schema>, query: RawBuilder<{ count: string }>): Promise<number> {
  const { rows } = await query.execute(db);
  return Number(rows[0].count);
}

/** The org a reader is limited to (READ_ACCESS=authenticated); absent, every org's rows are seen. */
interface Visibility {
  visibleOrg?: string;
}

export interface PayloadFilters extends Visibility {
  account?: string;
  orgId?: string;
  inventoryId?: string;
  systemId?: string;
  /** The payload's last status (migration 0010). */
  lastStatus?: string;
  createdAt: TimeRange;
}

export function payloadConditions(filters: PayloadFilters): Condition[] {
  return [
    ...equals('account', filters.account),
    ...equals('org_id', filters.orgId),
    ...equals('org_id', filters.visibleOrg),
    ...equals('inventory_id', filters.inventoryId),
    ...equals('system_id', filters.systemId),
    // `id` is the payload's: the tables these conditions are used with have no other.
    ...(filters.lastStatus === undefined
      ? []
      : [sql<boolean>`id in (select payload_id from payload_latest where status = ${filters.lastStatus})`]),
    ...timeConditions('created_at', filters.createdAt),
  ];
}

/**
 * How many payloads match. Inventory and system IDs are not summarized (a
 * host's payloads are few); the last status is, alone (migration 0016): with
 * any other filter it is read from payload_latest's index.
 */
export function countPayloads(db: Kysely<Schema>, filters: PayloadFilters): Promise<number> {
  const where = payloadConditions(filters);
  const { lastStatus, createdAt, ...others } = filters;
  if (lastStatus !== undefined && !isBounded(createdAt) && Object.values(others).every((value) => value === undefined)) {
    return countOf(db, sql`select coalesce(sum(n), 0) as count from last_status_counts where status = ${lastStatus}`);
  }
  if (filters.inventoryId !== undefined || filters.systemId !== undefined || lastStatus !== undefined) {
    return countOf(db, sql`select count(*) as count from payloads where ${allOf(where)}`);
  }
  const hours = wholeHours(filters.createdAt);
  const summarized = [
    ...dimensionConditions(PAYLOAD_COUNT_DIMENSIONS, { account: [filters.account], org_id: [filters.orgId, filters.visibleOrg] }),
    inside(hours),
  ];
  return countOf(
    db,
    sql`select (select coalesce(sum(n), 0) from payload_counts where ${allOf(summarized)})
      + (select count(*) from payloads where ${allOf([...where, outside('created_at', hours)])}) as count`,
  );
}

export interface StatusFilters extends Visibility {
  /** The statuses of one payload, by its canonical request ID. */
  requestId?: string;
  service?: string;
  source?: string;
  status?: string;
  statusMsg?: string;
  date: TimeRange;
  createdAt: TimeRange;
}

export function statusConditions(filters: StatusFilters): Condition[] {
  return [
    ...(filters.requestId === undefined
      ? []
      : [sql<boolean>`s.payload_id = (select id from payloads where request_id = ${filters.requestId})`]),
    ...(filters.visibleOrg === undefined
      ? []
      : [sql<boolean>`s.payload_id in (select id from payloads where org_id = ${filters.visibleOrg})`]),
    ...equals('s.service', filters.service),
    ...equals('s.source', filters.source),
    ...equals('s.status', filters.status),
    ...equals('s.status_msg', filters.statusMsg),
    ...timeConditions('s.date', filters.date),
    ...timeConditions('s.created_at', filters.createdAt),
  ];
}

/**
 * How many statuses match. A filter the summaries do not hold (the payload or
 * its org, the message, created_at) is counted from the statuses themselves.
 */
export function countStatuses(db: Kysely<Schema>, filters: StatusFilters): Promise<number> {
  const where = statusConditions(filters);
  const summarizedFilters = filters.requestId === undefined && filters.visibleOrg === undefined && filters.statusMsg === undefined;
  if (!summarizedFilters || isBounded(filters.createdAt)) {
    return countOf(db, sql`select count(*) as count from payload_statuses s where ${allOf(where)}`);
  }
  const hours = wholeHours(filters.date);
  const summarized = [
    ...dimensionConditions(STATUS_COUNT_DIMENSIONS, { service: [filters.service], source: [filters.source], status: [filters.status] }),
    inside(hours),
  ];
  return countOf(
    db,
    sql`select (select coalesce(sum(n), 0) from status_counts where ${allOf(summarized)})
      + (select count(*) from payload_statuses s where ${allOf([...where, outside('s.date', hours)])}) as count`,
  );
}

export interface ServiceOutcomes {
  service: string;
  success: number;
  error: number;
}

/**
 * Per service, the `success` and `error` statuses dated at or after `since`:
 * the whole hours from the hourly summaries, the whole minutes before the
 * first of them from the per-minute outcome summaries (migration 0015), and the
 * statuses of the partial first minute, none when `since` is on a minute.
 */
export async function countOutcomesSince(db: Kysely<Schema>, since: Date, visibleOrg?: string): Promise<ServiceOutcomes[]> {
  if (visibleOrg !== undefined) return countOrgOutcomesSince(db, since, visibleOrg);
  const hours = wholeHours({ gte: since.toISOString() });
  const firstWholeMinute = sql<string>`count_minute(${at(since.toISOString())} - interval '1 microsecond') + interval '1 minute'`;
  const { rows } = await sql<{ service: string; success: string; error: string }>`
    select service, sum(success) as success, sum(error) as error from (
      select service, coalesce(sum(n) filter (where status = 'success'), 0) as success,
        coalesce(sum(n) filter (where status = 'error'), 0) as error
      from status_counts where status in ('success', 'error') and ${inside(hours)}
      group by service
      union all
      select service, coalesce(sum(n) filter (where status = 'success'), 0), coalesce(sum(n) filter (where status = 'error'), 0)
      from outcome_counts where minute >= ${firstWholeMinute} and minute < ${hours.from}
      group by service
      union all
      select service, count(*) filter (where status = 'success'), count(*) filter (where status = 'error')
      from payload_statuses
      where status in ('success', 'error') and date >= ${since.toISOString()}::timestamptz and date < ${firstWholeMinute}
      group by service) parts
    group by service
    having sum(success) + sum(error) > 0
    order by service`.execute(db);
  return rows.map((row) => ({ service: row.service, success: Number(row.success), error: Number(row.error) }));
}

/** The same for one org's payloads, from the statuses themselves: the summaries do not hold the org. */
async function countOrgOutcomesSince(db: Kysely<Schema>, since: Date, orgId: string): Promise<ServiceOutcomes[]> {
  const { rows } = await sql<{ service: string; success: string; error: string }>`
    select s.service, count(*) filter (where s.status = 'success') as success, count(*) filter (where s.status = 'error') as error
    from payload_statuses s join payloads p on p.id = s.payload_id
    where p.org_id = ${orgId} and s.status in ('success', 'error') and s.date >= ${since.toISOString()}::timestamptz
    group by s.service order by s.service`.execute(db);
  return rows.map((row) => ({ service: row.service, success: Number(row.success), error: Number(row.error) }));
}

/**
 * Folds the deltas the triggers appended into one row per group and hour (per
 * minute for the outcomes, per status for the last statuses). Rows appended
 * meanwhile are not in this statement's snapshot and wait for the next fold; a
 * concurrent fold skips the rows this one deleted.
 */
export async function foldCounts(db: Kysely<Schema>): Promise<void> {
  await sql`
    with hours as (select distinct hour from payload_counts where not folded),
    gone as (delete from payload_counts c using hours where c.hour = hours.hour returning c.hour, c.account, c.org_id, c.n)
    insert into payload_counts (hour, account, org_id, n, folded)
    select hour, account, org_id, sum(n), true from gone group by 1, 2, 3 having sum(n) <> 0`.execute(db);
  await sql`
    with hours as (select distinct hour from status_counts where not folded),
    gone as (delete from status_counts c using hours where c.hour = hours.hour
      returning c.hour, c.service, c.source, c.status, c.n)
    insert into status_counts (hour, service, source, status, n, folded)
    select hour, service, source, status, sum(n), true from gone group by 1, 2, 3, 4 having sum(n) <> 0`.execute(db);
  await sql`
    with minutes as (select distinct minute from outcome_counts where not folded),
    gone as (delete from outcome_counts c using minutes where c.minute = minutes.minute returning c.minute, c.service, c.status, c.n)
    insert into outcome_counts (minute, service, status, n, folded)
    select minute, service, status, sum(n), true from gone group by 1, 2, 3 having sum(n) <> 0`.execute(db);
  await sql`
    with statuses as (select distinct status from last_status_counts where not folded),
    gone as (delete from last_status_counts c using statuses where c.status = statuses.status returning c.status, c.n)
    insert into last_status_counts (status, n, folded)
    select status, sum(n), true from gone group by 1 having sum(n) <> 0`.execute(db);
}
