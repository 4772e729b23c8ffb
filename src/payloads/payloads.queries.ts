import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { epochMicros, rfc3339 } from '../shared/sql.ts';

/** Bounds on a timestamp column, each an ISO 8601 instant. */
export interface TimeRange {
  lt?: string;
  lte?: string;
  gt?: string;
  gte?: string;
}

export interface Paging {
  page: number;
  pageSize: number;
  sortBy: string;
  sortDir: 'asc' | 'desc';
}

type Condition = RawBuilder<boolean>;

function timeConditions(column: string, range: TimeRange): Condition[] {
  const bounds = [
    ['<', range.lt],
    ['<=', range.lte],
    ['>', range.gt],
    ['>=', range.gte],
  ] as const;
  return bounds
    .filter(([, value]) => value !== undefined)
    .map(([operator, value]) => sql<boolean>`${sql.ref(column)} ${sql.raw(operator)} ${value}::timestamptz`);
}

function equals(column: string, value: string | undefined): Condition[] {
  return value === undefined ? [] : [sql<boolean>`${sql.ref(column)} = ${value}`];
}

function allOf(conditions: Condition[]): Condition {
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(conditions, sql` and `)}`;
}

/** Sorts by the chosen column, then by id the same way, so pages never shift between identical values. */
function orderBy(column: string, idColumn: string, direction: 'asc' | 'desc') {
  const dir = sql.raw(direction);
  return sql`order by ${sql.ref(column)} ${dir}, ${sql.ref(idColumn)} ${dir}`;
}

export interface PayloadFilters {
  account?: string;
  orgId?: string;
  inventoryId?: string;
  systemId?: string;
  createdAt: TimeRange;
}

export interface PayloadRow {
  id: string;
  request_id: string;
  account: string | null;
  org_id: string | null;
  inventory_id: string | null;
  system_id: string | null;
  created_at: string;
}

export async function listPayloads(db: Kysely<Schema>, filters: PayloadFilters, paging: Paging) {
  const where = allOf([
    ...equals('account', filters.account),
    ...equals('org_id', filters.orgId),
    ...equals('inventory_id', filters.inventoryId),
    ...equals('system_id', filters.systemId),
    ...timeConditions('created_at', filters.createdAt),
  ]);
  const [count, rows] = await Promise.all([
    sql<{ count: string }>`select count(*) as count from payloads where ${where}`.execute(db),
    sql<PayloadRow>`
      select id, request_id, account, org_id, inventory_id::text, system_id::text, ${rfc3339('created_at')} as created_at
      from payloads where ${where}
      ${orderBy(paging.sortBy, 'id', paging.sortDir)}
      limit ${paging.pageSize} offset ${paging.page * paging.pageSize}`.execute(db),
  ]);
  return { count: Number(count.rows[0].count), rows: rows.rows };
}

export interface StatusFilters {
  service?: string;
  source?: string;
  status?: string;
  statusMsg?: string;
  date: TimeRange;
  createdAt: TimeRange;
}

export interface StatusRow {
  id: string;
  service: string;
  source: string | null;
  request_id: string;
  status: string;
  status_msg: string | null;
  date: string;
  created_at: string;
}

const STATUS_COLUMNS: Record<string, string> = { request_id: 'p.request_id' };

export async function listStatuses(db: Kysely<Schema>, filters: StatusFilters, paging: Paging) {
  const where = allOf([
    ...equals('s.service', filters.service),
    ...equals('s.source', filters.source),
    ...equals('s.status', filters.status),
    ...equals('s.status_msg', filters.statusMsg),
    ...timeConditions('s.date', filters.date),
    ...timeConditions('s.created_at', filters.createdAt),
  ]);
  const sortColumn = STATUS_COLUMNS[paging.sortBy] ?? `s.${paging.sortBy}`;
  const [count, rows] = await Promise.all([
    sql<{ count: string }>`select count(*) as count from payload_statuses s where ${where}`.execute(db),
    sql<StatusRow>`
      select s.id::text as id, s.service, s.source, p.request_id, s.status, s.status_msg,
        ${rfc3339('s.date')} as date, ${rfc3339('s.created_at')} as created_at
      from payload_statuses s join payloads p on p.id = s.payload_id
      where ${where}
      ${orderBy(sortColumn, 's.id', paging.sortDir)}
      limit ${paging.pageSize} offset ${paging.page * paging.pageSize}`.execute(db),
  ]);
  return { count: Number(count.rows[0].count), rows: rows.rows };
}

export interface PayloadStatusRow extends StatusRow {
  account: string | null;
  org_id: string | null;
  inventory_id: string | null;
  system_id: string | null;
  /** The date as microseconds since the epoch, for exact durations. */
  date_us: string;
}

/** A payload's statuses, or undefined when there is no such payload. */
export async function getPayloadStatuses(
  db: Kysely<Schema>,
  requestId: string,
  sortBy: string,
  sortDir: 'asc' | 'desc',
): Promise<PayloadStatusRow[] | undefined> {
  const payload = await db.selectFrom('payloads').select('id').where('request_id', '=', requestId).executeTakeFirst();
  if (!payload) return undefined;
  const { rows } = await sql<PayloadStatusRow>`
    select s.id::text as id, s.service, s.source, p.account, p.org_id, p.request_id,
      p.inventory_id::text, p.system_id::text, s.status, s.status_msg,
      ${rfc3339('s.date')} as date, ${rfc3339('s.created_at')} as created_at, ${epochMicros('s.date')}::text as date_us
    from payload_statuses s join payloads p on p.id = s.payload_id
    where s.payload_id = ${payload.id}
    ${orderBy(`s.${sortBy}`, 's.id', sortDir)}`.execute(db);
  return rows;
}

export interface ServiceOutcomes {
  service: string;
  success: number;
  error: number;
}

/** Per service, the `success` and `error` statuses dated at or after `since`. */
export async function countOutcomesSince(db: Kysely<Schema>, since: Date): Promise<ServiceOutcomes[]> {
  const { rows } = await sql<{ service: string; success: string; error: string }>`
    select service,
      count(*) filter (where status = 'success') as success,
      count(*) filter (where status = 'error') as error
    from payload_statuses
    where date >= ${since.toISOString()}::timestamptz and status in ('success', 'error')
    group by service
    order by service`.execute(db);
  return rows.map((row) => ({ service: row.service, success: Number(row.success), error: Number(row.error) }));
}

/** The payload's first and last status times, or its creation time when it has none left. */
export async function getPayloadTimeSpan(db: Kysely<Schema>, requestId: string) {
  const { rows } = await sql<{ first: string; last: string }>`
    select ${rfc3339('first')} as first, ${rfc3339('last')} as last from (
      select coalesce(min(s.date), p.created_at) as first, coalesce(max(s.date), p.created_at) as last
      from payloads p left join payload_statuses s on s.payload_id = p.id
      where p.request_id = ${requestId}
      group by p.id) span`.execute(db);
  return rows[0];
}
