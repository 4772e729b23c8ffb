import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { JobRequest } from '../reports/job-request.ts';
import { checkReportQuota, getReportJob, insertReportJob, type Enqueue } from '../reports/jobs.queries.ts';
import type { ReportFormat } from '../reports/writers.ts';
import { runPeriodically } from '../shared/periodic.ts';
import type { Frequency } from './schedules.schemas.ts';
import { getSchedule, UNIT } from './schedules.queries.ts';

/** After downtime, at most this many missed periods of a schedule are run, the latest ones. */
export const MAX_CATCH_UP_PERIODS = 31;

export interface SchedulerDeps {
  db: Kysely<Schema>;
  enqueue: Enqueue;
  now: () => Date;
}

interface DueSchedule {
  id: string;
  send_to: string[];
  org_id: string;
  name: string;
  type: string;
  schedule: Frequency;
  timezone: string;
  format: string;
  scheduled_by: string;
  hosts: string[];
  services: string[] | null;
}

interface Period {
  start_local: string;
  end_local: string;
  from: string;
  to: string;
}

/** A wall-clock time of the schedule's zone, as the report names its span. */
const LOCAL = 'YYYY-MM-DD"T"HH24:MI:SS';

/** A period from its local start: its end is one step later on the wall clock, so a DST day is 23 or 25 hours. */
function periodFrom(start: ReturnType<typeof sql>, schedule: DueSchedule) {
  const end = sql`(${start} + ${UNIT[schedule.schedule].step}::interval)`;
  return sql<Period>`select to_char(${start}, ${LOCAL}) as start_local, to_char(${end}, ${LOCAL}) as end_local,
    ${start} at time zone ${schedule.timezone} as from, ${end} at time zone ${schedule.timezone} as to`;
}

function jobRequest(schedule: DueSchedule, period: Period): JobRequest {
  return {
    type: schedule.type as JobRequest['type'],
    name: schedule.name,
    timezone: schedule.timezone,
    format: schedule.format as ReportFormat,
    fromText: period.start_local,
    toText: period.end_local,
    from: period.from,
    to: period.to,
    hosts: schedule.hosts,
    services: schedule.services ?? [],
    sendTo: schedule.send_to,
  };
}

/**
 * Runs every period that has ended, each once: the schedule row is locked
 * (others skip it), the run is recorded under a unique (schedule, period) key,
 * its report job is created and the schedule moves to its next period, all in
 * one transaction. Many worker processes may call this at once. Returns the runs made.
 */
export async function runDueSchedules({ db, enqueue, now }: SchedulerDeps): Promise<number> {
  let runs = 0;
  while (await db.transaction().execute((trx) => runOneDuePeriod(trx, enqueue, now()))) runs++;
  return runs;
}

async function runOneDuePeriod(trx: Transaction<Schema>, enqueue: Enqueue, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const { rows } = await sql<DueSchedule & { next_start: string }>`
    select id, org_id, name, type, schedule, timezone, format, scheduled_by, hosts, services, send_to,
      to_char(next_period_start, ${LOCAL}) as next_start
    from report_schedules where next_run_at <= ${at}::timestamptz
    order by next_run_at, id limit 1 for update skip locked`.execute(trx);
  if (rows.length === 0) return false;
  const schedule = rows[0];
  const { trunc, step } = UNIT[schedule.schedule];
  // The oldest period still worth running after downtime.
  const start = sql`greatest(${schedule.next_start}::timestamp,
    date_trunc(${trunc}, ${at}::timestamptz at time zone ${schedule.timezone}) - ${MAX_CATCH_UP_PERIODS} * ${step}::interval)`;
  const period = (await periodFrom(start, schedule).execute(trx)).rows[0];

  const jobId = await insertReportJob(
    trx,
    {
      orgId: schedule.org_id,
      createdBy: schedule.scheduled_by,
      request: jobRequest(schedule, period),
      configuration: { id: schedule.id, name: schedule.name },
    },
    enqueue,
    now,
  );
  // The primary key refuses a period run before, failing the whole transaction.
  await sql`insert into schedule_runs (schedule_id, period_start, period_end, report_job_id)
    values (${schedule.id}::bigint, ${period.from}::timestamptz, ${period.to}::timestamptz, ${jobId}::bigint)`.execute(trx);
  await sql`
    update report_schedules set
      next_period_start = ${period.end_local}::timestamp,
      next_run_at = (${period.end_local}::timestamp + ${step}::interval) at time zone ${schedule.timezone},
      start_timestamp = coalesce(start_timestamp, ${at}::timestamptz),
      end_timestamp = ${at}::timestamptz
    where id = ${schedule.id}::bigint`.execute(trx);
  return true;
}

/**
 * Runs a schedule now for its last complete period, as a "send test" button
 * would: a report job and a task like a scheduled run's, within the org's
 * quota of unfinished jobs (only the scheduler's own periods pass it). It is an
 * execution, so it sets the first and last execution times as a scheduled run
 * does, but it neither moves the schedule nor counts as its run of that period.
 */
export async function runScheduleNow(deps: SchedulerDeps, orgId: string, scheduleId: string, user: string, maxUnfinished: number) {
  const view = await getSchedule(deps.db, orgId, scheduleId);
  const schedule: DueSchedule = { ...view, org_id: orgId, schedule: view.schedule as Frequency, scheduled_by: user };
  const { trunc, step } = UNIT[schedule.schedule];
  const at = deps.now().toISOString();
  const start = sql`(date_trunc(${trunc}, ${at}::timestamptz at time zone ${schedule.timezone}) - ${step}::interval)`;
  const jobId = await deps.db.transaction().execute(async (trx) => {
    await checkReportQuota(trx, orgId, maxUnfinished);
    const period = (await periodFrom(start, schedule).execute(trx)).rows[0];
    const id = await insertReportJob(
      trx,
      { orgId, createdBy: user, request: jobRequest(schedule, period), configuration: { id: schedule.id, name: schedule.name } },
      deps.enqueue,
      deps.now(),
    );
    await sql`update report_schedules set start_timestamp = coalesce(start_timestamp, ${at}::timestamptz),
      end_timestamp = ${at}::timestamptz where id = ${schedule.id}::bigint`.execute(trx);
    return id;
  });
  const job = await getReportJob(deps.db, jobId);
  return { jobId, taskId: Number(job!.task_id) };
}

const SCHEDULER_INTERVAL_MS = 60_000;

/**
 * Looks for ended periods every minute, so that a run starts within a minute of
 * local midnight.
 */
export function startScheduler(deps: SchedulerDeps, log: FastifyBaseLogger) {
  return runPeriodically(
    'the scheduler',
    SCHEDULER_INTERVAL_MS,
    async () => {
      const runs = await runDueSchedules(deps);
      if (runs > 0) log.info({ runs }, 'scheduled reports started');
    },
    log,
  );
}
