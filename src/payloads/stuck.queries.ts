import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { allOf, equals, type Condition } from '../shared/conditions.ts';
import { payloadConditions, type PayloadFilters } from './counts.ts';
import type { PayloadRow } from './payloads.queries.ts';

export interface StuckFilters extends PayloadFilters {
  /** The last service seen. */
  service?: string;
  /** Stuck since before this instant. */
  quietSince: string;
  terminalStatuses: readonly string[];
}

export type StuckRow = PayloadRow & { last_service: string; last_source: string | null; last_status: string; last_date: string };

export const STUCK_SORT_FIELDS = ['last_date', 'created_at', 'request_id', 'last_service'] as const;

const SORT_COLUMNS: Record<(typeof STUCK_SORT_FIELDS)[number], string> = {
  last_date: 'l.date',
  created_at: 'p.created_at',
  request_id: 'p.request_id',
  last_service: 'l.service',
};

/**
 * The statuses payloads were last seen with that are not terminal, found by
 * skipping through the index of last statuses (a handful of index probes
 * however many payloads there are). Asked first and on its own, so that the
 * planner sees the actual list: as a subquery it planned for the whole table.
 */
async function openStatuses(db: Kysely<Schema>, terminal: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ status: string }>`
    with recursive seen(status) as (
      (select status from payload_latest order by status limit 1)
      union all
      select (select l.status from payload_latest l where l.status > seen.status order by l.status limit 1)
      from seen where seen.status is not null)
    select status from seen where status is not null and status <> all(${[...terminal]}::text[])`.execute(db);
  return rows.map((row) => row.status);
}

/** Conditions on the last statuses alone. */
function latestConditions(filters: StuckFilters, open: string[]): Condition[] {
  return [
    sql<boolean>`l.status = any(${open}::text[])`,
    sql<boolean>`l.date < ${filters.quietSince}::timestamptz`,
    ...equals('l.service', filters.service),
  ];
}

/**
 * Payloads whose last status is not terminal and older than `quietSince`: the
 * page asked for, the exact count, and the count per last service.
 */
export async function listStuckPayloads(
  db: Kysely<Schema>,
  filters: StuckFilters,
  paging: { page: number; pageSize: number; sortBy: (typeof STUCK_SORT_FIELDS)[number]; sortDir: 'asc' | 'desc' },
) {
  const open = await openStatuses(db, filters.terminalStatuses);
  // Every payload was last seen with a terminal status: none is stuck.
  if (open.length === 0) return { count: 0, groups: [], rows: [] };
  // The payloads' own columns: no name is shared with payload_latest's.
  const payloadFilters = payloadConditions(filters);
  const where = allOf([...latestConditions(filters, open), ...payloadFilters]);
  const from = sql`payload_latest l join payloads p on p.id = l.payload_id`;
  // Without a filter on the payloads, the last statuses alone are counted.
  const countedFrom = payloadFilters.length === 0 ? sql`payload_latest l` : from;
  const direction = sql.raw(paging.sortDir);
  const [groups, rows] = await Promise.all([
    sql<{ service: string; count: string }>`
      select l.service, count(*) as count from ${countedFrom} where ${where} group by l.service order by count(*) desc, l.service`.execute(
      db,
    ),
    sql<StuckRow>`
      select p.id, p.request_id, p.account, p.org_id, p.inventory_id, p.system_id, p.created_at,
        l.service as last_service, l.source as last_source, l.status as last_status, l.date as last_date
      from ${from} where ${where}
      order by ${sql.ref(SORT_COLUMNS[paging.sortBy])} ${direction}, l.payload_id ${direction}
      limit ${paging.pageSize} offset ${paging.page * paging.pageSize}`.execute(db),
  ]);
  const byService = groups.rows.map((group) => ({ service: group.service, count: Number(group.count) }));
  return { count: byService.reduce((sum, group) => sum + group.count, 0), groups: byService, rows: rows.rows };
}
