import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { ReportSchedulesTable, Schema } from '../db/schema.ts';
import { epochMicros } from '../shared/timestamps.ts';
import { AppError } from '../errors.ts';
import type { ScheduleAttrs } from './schedule-attrs.ts';
import type { Frequency } from './schedules.schemas.ts';

export const UNIT: Record<Frequency, { trunc: string; step: string }> = {
  daily: { trunc: 'day', step: '1 day' },
  weekly: { trunc: 'week', step: '1 week' },
  monthly: { trunc: 'month', step: '1 month' },
};

/** The period of `frequency` holding the instant `at`, as its local start, in `timezone` (weeks start on Monday). */
function periodStart(frequency: Frequency, timezone: string, at: Date): RawBuilder<string> {
  return sql`date_trunc(${UNIT[frequency].trunc}, ${at.toISOString()}::timestamptz at time zone ${timezone})`;
}

/** The columns of a schedule the API shows, as stored. */
const VIEW_COLUMNS = [
  'id',
  'name',
  'type',
  'schedule',
  'timezone',
  'hosts',
  'services',
  'send_to',
  'send_via',
  'format',
  'scheduled_by',
  'scheduled_at',
  'start_timestamp',
  'end_timestamp',
] as const;

/** How many upcoming runs a schedule shows. */
export const NEXT_RUNS = 5;

const UTC_TEXT = 'YYYY-MM-DD"T"HH24:MI:SS"Z"';

/** A frequency column's step as an interval, from UNIT. */
const stepOf = (column: RawBuilder<unknown>) =>
  sql`(case ${column} ${sql.join(
    Object.entries(UNIT).map(([frequency, unit]) => sql`when ${frequency} then ${unit.step}::interval`),
    sql` `,
  )} end)`;

/**
 * The next runs of periods from `periodStart` (a wall-clock time of `timezone`):
 * each period runs when it ends, so the runs are the ends of the next periods,
 * stepped on the wall clock (a DST change moves them with the zone's clock), in UTC.
 */
const nextRuns = (periodStart: RawBuilder<unknown>, step: RawBuilder<unknown>, timezone: RawBuilder<unknown>) =>
  sql<string[]>`array(select to_char((${periodStart} + n * ${step}) at time zone ${timezone} at time zone 'UTC', ${UTC_TEXT})
    from generate_series(1, ${NEXT_RUNS}) n order by n)`;

/** The last task a schedule ran, scheduled or run now: how it went. */
const LAST_TASK = sql`(select json_build_object('task_id', t.id, 'state', t.state,
    'started', to_char(t.started at time zone 'UTC', ${UTC_TEXT}),
    'finished', to_char(t.finished at time zone 'UTC', ${UTC_TEXT}))
  from tasks t where t.configuration_id = report_schedules.id order by t.id desc limit 1)`;

const viewColumns = sql.join([
  ...VIEW_COLUMNS.map((column) => sql.ref(column)),
  sql`${nextRuns(sql.ref('next_period_start'), stepOf(sql.ref('schedule')), sql.ref('timezone'))} as next_runs`,
  sql`${LAST_TASK} as last_task`,
]);

interface LastTask {
  task_id: number;
  state: string;
  started: string;
  finished: string | null;
}

type ViewRow = Pick<Selectable<ReportSchedulesTable>, (typeof VIEW_COLUMNS)[number]> & { next_runs: string[]; last_task: LastTask | null };

/** A schedule as the API shows it: its times in UNIX microseconds, as the spec has them. */
export type ScheduleView = Omit<ViewRow, 'scheduled_at' | 'start_timestamp' | 'end_timestamp'> & {
  scheduled_at: number;
  start_timestamp: number | null;
  end_timestamp: number | null;
};

/** The runs a schedule of `frequency` in `timezone` created at `now` would make first: what the scheduler will do. */
export async function previewRuns(db: Kysely<Schema>, frequency: Frequency, timezone: string, now: Date): Promise<string[]> {
  const { rows } = await sql<{ runs: string[] }>`
    select ${nextRuns(periodStart(frequency, timezone, now), sql`${UNIT[frequency].step}::interval`, sql`${timezone}`)} as runs`.execute(
    db,
  );
  return rows[0].runs;
}

const toView = (row: ViewRow): ScheduleView => ({
  ...row,
  scheduled_at: epochMicros(row.scheduled_at),
  start_timestamp: row.start_timestamp === null ? null : epochMicros(row.start_timestamp),
  end_timestamp: row.end_timestamp === null ? null : epochMicros(row.end_timestamp),
});

/** Creates a schedule; its first period is the one holding `now`, run when it ends. */
export async function createSchedule(db: Kysely<Schema>, orgId: string, user: string, attrs: ScheduleAttrs, now: Date) {
  const start = periodStart(attrs.schedule, attrs.timezone, now);
  const { rows } = await sql<ViewRow>`
    insert into report_schedules (org_id, name, type, schedule, timezone, hosts, services, send_to, send_via, format,
      scheduled_by, scheduled_at, next_period_start, next_run_at)
    values (${orgId}, ${attrs.name}, ${attrs.type}, ${attrs.schedule}, ${attrs.timezone}, ${attrs.hosts}::text[],
      ${attrs.services}::text[], ${attrs.send_to}::text[], ${attrs.send_via}, ${attrs.format}, ${user},
      ${now.toISOString()}::timestamptz, ${start},
      (${start} + ${UNIT[attrs.schedule].step}::interval) at time zone ${attrs.timezone})
    returning ${viewColumns}`.execute(db);
  return toView(rows[0]);
}

export async function getSchedule(db: Kysely<Schema>, orgId: string, id: string): Promise<ScheduleView> {
  const { rows } = await sql<ViewRow>`
    select ${viewColumns} from report_schedules where org_id = ${orgId} and id = ${id}::bigint`.execute(db);
  const row = rows[0];
  if (!row) throw new AppError('not_found', `schedule ${id} was not found`);
  return toView(row);
}

/** Changes a schedule; a new frequency or time zone starts again from the period holding `now`. */
export async function updateSchedule(db: Kysely<Schema>, orgId: string, id: string, changes: Partial<ScheduleAttrs>, now: Date) {
  const current = await getSchedule(db, orgId, id);
  const merged = { ...current, ...changes } as ScheduleAttrs;
  const timing =
    changes.schedule !== undefined || changes.timezone !== undefined
      ? sql`, next_period_start = ${periodStart(merged.schedule, merged.timezone, now)},
          next_run_at = (${periodStart(merged.schedule, merged.timezone, now)} + ${UNIT[merged.schedule].step}::interval) at time zone ${merged.timezone}`
      : sql``;
  await sql`
    update report_schedules set name = ${merged.name}, type = ${merged.type}, schedule = ${merged.schedule},
      timezone = ${merged.timezone}, hosts = ${merged.hosts}::text[], services = ${merged.services}::text[],
      send_to = ${merged.send_to}::text[], send_via = ${merged.send_via}, format = ${merged.format} ${timing}
    where org_id = ${orgId} and id = ${id}::bigint`.execute(db);
  return getSchedule(db, orgId, id);
}

/**
 * Deletes the org's schedules among `ids`; their tasks stay, now with
 * `configuration_id` 0. Unknown IDs and other orgs' schedules are refused
 * whole, naming the first `maxNamed` of them.
 */
export async function deleteSchedules(db: Kysely<Schema>, orgId: string, ids: string[], maxNamed: number) {
  await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('report_schedules')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .forUpdate()
      .execute();
    const found = new Set(rows.map((row) => row.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const more = missing.length > maxNamed ? ` and ${missing.length - maxNamed} more` : '';
      throw new AppError('not_found', `schedules not found: ${missing.slice(0, maxNamed).join(', ')}${more}`);
    }
    await trx
      .updateTable('tasks')
      .set({ configuration_id: '0' })
      .where('org_id', '=', orgId)
      .where('configuration_id', 'in', ids)
      .execute();
    await trx.deleteFrom('report_schedules').where('org_id', '=', orgId).where('id', 'in', ids).execute();
  });
}

/** UNIX microseconds as a timestamptz, exactly. */
const fromMicros = (value: number) => sql`timestamptz 'epoch' + ${value}::bigint * interval '1 microsecond'`;

export interface ScheduleFilters {
  id?: string;
  idList?: string[];
  name?: string;
  type?: string;
  schedule?: string;
  scheduledAtStart?: number;
  scheduledAtEnd?: number;
  scheduledBy?: string;
}

export async function listSchedules(
  db: Kysely<Schema>,
  orgId: string,
  filters: ScheduleFilters,
  page?: { page: number; pageSize: number },
) {
  const conditions = [sql`org_id = ${orgId}`];
  if (filters.id !== undefined) conditions.push(sql`id = ${filters.id}::bigint`);
  if (filters.idList !== undefined) conditions.push(sql`id = any(${filters.idList}::bigint[])`);
  if (filters.name !== undefined) conditions.push(sql`name ilike ${`%${filters.name.replace(/[\\%_]/g, '\\$&')}%`}`);
  if (filters.type !== undefined) conditions.push(sql`type = ${filters.type}`);
  if (filters.schedule !== undefined) conditions.push(sql`schedule = ${filters.schedule}`);
  if (filters.scheduledAtStart !== undefined) conditions.push(sql`scheduled_at >= ${fromMicros(filters.scheduledAtStart)}`);
  if (filters.scheduledAtEnd !== undefined) conditions.push(sql`scheduled_at <= ${fromMicros(filters.scheduledAtEnd)}`);
  if (filters.scheduledBy !== undefined) conditions.push(sql`scheduled_by = ${filters.scheduledBy}`);
  const where = sql.join(conditions, sql` and `);
  const limit = page ? sql`limit ${page.pageSize} offset ${page.page * page.pageSize}` : sql``;
  const [count, rows] = await Promise.all([
    sql<{ n: number }>`select count(*)::int as n from report_schedules where ${where}`.execute(db),
    sql<ViewRow>`select ${viewColumns} from report_schedules where ${where} order by id ${limit}`.execute(db),
  ]);
  return { count: count.rows[0].n, schedules: rows.rows.map(toView) };
}
