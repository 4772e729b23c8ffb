import { sql, type Kysely, type Selectable } from 'kysely';
import { preparedStatement } from '../db/prepared-statements.ts';
import type { PayloadsTable, PayloadStatusesTable, Schema } from '../db/schema.ts';
import { allOf } from '../shared/conditions.ts';
import { countPayloads, countStatuses, payloadConditions, statusConditions, type PayloadFilters, type StatusFilters } from './counts.ts';

export interface Paging {
  page: number;
  pageSize: number;
  sortBy: string;
  sortDir: 'asc' | 'desc';
}

/** Columns that may be absent; an absent value sorts last in both directions. */
const NULLABLE = new Set([
  'payloads.account',
  'payloads.org_id',
  'payloads.inventory_id',
  'payloads.system_id',
  's.source',
  's.status_msg',
]);

/**
 * Sorts by the chosen column, then by id the same way, so pages never shift
 * between identical values. Columns are named with their table: a bare name
 * would sort by the output column of that name (text), which no index serves.
 * PostgreSQL sorts nulls first when descending: a nullable column says
 * `nulls last` there (a not-null one does not, which would stop an index from
 * serving the order).
 */
function orderBy(column: string, idColumn: string, direction: 'asc' | 'desc') {
  const dir = sql.raw(direction === 'desc' && NULLABLE.has(column) ? 'desc nulls last' : direction);
  return sql`order by ${sql.ref(column)} ${dir}, ${sql.ref(idColumn)} ${sql.raw(direction)}`;
}

export type PayloadRow = Selectable<PayloadsTable>;

export async function listPayloads(db: Kysely<Schema>, filters: PayloadFilters, paging: Paging) {
  const where = allOf(payloadConditions(filters));
  const [count, rows] = await Promise.all([
    countPayloads(db, filters),
    sql<PayloadRow>`
      select id, request_id, account, org_id, inventory_id, system_id, created_at
      from payloads where ${where}
      ${orderBy(`payloads.${paging.sortBy}`, 'payloads.id', paging.sortDir)}
      limit ${paging.pageSize} offset ${paging.page * paging.pageSize}`.execute(db),
  ]);
  return { count, rows: rows.rows };
}

export type StatusRow = Pick<
  Selectable<PayloadStatusesTable>,
  'id' | 'service' | 'source' | 'status' | 'status_msg' | 'date' | 'created_at'
> &
  Pick<PayloadRow, 'request_id'>;

const STATUS_COLUMNS: Record<string, string> = { request_id: 'p.request_id' };

export async function listStatuses(db: Kysely<Schema>, filters: StatusFilters, paging: Paging) {
  const where = allOf(statusConditions(filters));
  const sortColumn = STATUS_COLUMNS[paging.sortBy] ?? `s.${paging.sortBy}`;
  const [count, rows] = await Promise.all([
    countStatuses(db, filters),
    sql<StatusRow>`
      select s.id, s.service, s.source, p.request_id, s.status, s.status_msg, s.date, s.created_at
      from payload_statuses s join payloads p on p.id = s.payload_id
      where ${where}
      ${orderBy(sortColumn, 's.id', paging.sortDir)}
      limit ${paging.pageSize} offset ${paging.page * paging.pageSize}`.execute(db),
  ]);
  return { count, rows: rows.rows };
}

export type PayloadStatusRow = StatusRow &
  Pick<PayloadRow, 'account' | 'org_id' | 'inventory_id' | 'system_id'> & {
    /** The date as microseconds since the epoch, for exact durations. */
    date_us: string;
  };

/** Every payload detail runs it: prepared, so that PostgreSQL does not plan the call each time. */
const payloadDetailStatement = preparedStatement('payload_detail', 'select * from payload_detail($1, $2, $3)');

/**
 * A payload's org and its statuses, sorted, or undefined when there is no such
 * payload (`payload_detail`, migrations 0007 and 0008).
 */
export async function getPayloadStatuses(
  db: Kysely<Schema>,
  requestId: string,
  sortBy: string,
  sortDir: 'asc' | 'desc',
): Promise<{ orgId: string | null; statuses: PayloadStatusRow[] } | undefined> {
  const { rows } = await db.executeQuery<PayloadStatusRow>(payloadDetailStatement([requestId, sortBy, sortDir === 'desc']));
  if (rows.length === 0) return undefined;
  // A payload without statuses comes as one row without a status.
  return { orgId: rows[0].org_id, statuses: rows[0].id === null ? [] : rows };
}

/** The payload's org and first and last status times (its creation time when it has none left). */
export async function getPayloadTimeSpan(db: Kysely<Schema>, requestId: string) {
  const { rows } = await sql<{ org_id: string | null; first: string; last: string }>`
    select p.org_id, coalesce(min(s.date), p.created_at) as first, coalesce(max(s.date), p.created_at) as last
    from payloads p left join payload_statuses s on s.payload_id = p.id
    where p.request_id = ${requestId}
    group by p.id`.execute(db);
  return rows[0];
}
