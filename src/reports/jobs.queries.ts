import { sql, type Kysely, type Transaction } from 'kysely';
import type { ReportJobStatus, Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { rfc3339Nanos } from '../shared/sql.ts';
import { createTask } from '../tasks/tasks.queries.ts';
import type { JobRequest } from './job-request.ts';

/** Puts a job on the rendering queue inside the transaction that creates it, so neither exists without the other. */
export type Enqueue = (trx: Transaction<Schema>, jobId: string) => Promise<void>;

export interface ReportJobRow {
  id: string;
  org_id: string;
  type: string;
  name: string;
  timezone: string;
  format: string;
  span_from_text: string;
  span_to_text: string;
  span_from: string;
  span_to: string;
  status: ReportJobStatus;
  failure_reason: string | null;
  attempts: number;
  file_name: string | null;
  file_size: string | null;
  row_count: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  expires_at: string | null;
  task_id: string;
  schedule_id: string | null;
  hosts: string[];
  services: string[];
  send_to: string[];
}

const jobColumns = sql`j.id::text as id, j.org_id, j.type, j.name, j.timezone, j.format, j.span_from_text, j.span_to_text,
  ${rfc3339Nanos('j.span_from')} as span_from, ${rfc3339Nanos('j.span_to')} as span_to, j.status, j.failure_reason,
  j.attempts, j.file_name, j.file_size::text as file_size, j.row_count::text as row_count, j.created_by,
  ${rfc3339Nanos('j.created_at')} as created_at, ${rfc3339Nanos('j.updated_at')} as updated_at,
  ${rfc3339Nanos('j.finished_at')} as finished_at, ${rfc3339Nanos('j.expires_at')} as expires_at, t.id::text as task_id,
  j.schedule_id::text as schedule_id, j.hosts, j.services, j.send_to`;

export interface NewJob {
  orgId: string;
  createdBy: string;
  request: JobRequest;
  /** The schedule that runs it, or none for a job asked for directly. */
  configuration?: { id: string; name: string };
}

/**
 * Refuses one more job when the org has `maxUnfinished` created or processing.
 * Counted under a per-org lock held to the end of `trx`, so that concurrent
 * requests cannot pass the quota together: insert the job in the same transaction.
 */
export async function checkReportQuota(trx: Transaction<Schema>, orgId: string, maxUnfinished: number) {
  await sql`select pg_advisory_xact_lock(hashtext(${`report-quota:${orgId}`}))`.execute(trx);
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from report_jobs where org_id = ${orgId} and status in ('CREATED', 'PROCESSING')`.execute(trx);
  if (rows[0].n >= maxUnfinished) {
    throw new AppError('too_many', `the org has ${rows[0].n} unfinished report jobs; at most ${maxUnfinished} may wait at once`);
  }
}

/** Creates a job, its task and its place on the queue, in one transaction, within the org's quota. */
export async function createReportJob(db: Kysely<Schema>, job: NewJob, enqueue: Enqueue, maxUnfinished: number, now: Date) {
  return db.transaction().execute(async (trx) => {
    await checkReportQuota(trx, job.orgId, maxUnfinished);
    return insertReportJob(trx, job, enqueue, now);
  });
}

/** Creates a job, its task and its place on the queue in the caller's transaction. */
export async function insertReportJob(trx: Transaction<Schema>, job: NewJob, enqueue: Enqueue, now: Date): Promise<string> {
  const { request } = job;
  const { id } = await trx
    .insertInto('report_jobs')
    .values({
      org_id: job.orgId,
      type: request.type,
      name: request.name,
      timezone: request.timezone,
      format: request.format,
      span_from_text: request.fromText,
      span_to_text: request.toText,
      span_from: request.from,
      span_to: request.to,
      created_by: job.createdBy,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      schedule_id: job.configuration?.id ?? null,
      hosts: request.hosts ?? [],
      services: request.services ?? [],
      send_to: request.sendTo ?? [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await createTask(
    trx,
    {
      orgId: job.orgId,
      reportJobId: id,
      title: `${request.name}: ${request.type} report, ${request.format}, ${request.fromText} to ${request.toText} (${request.timezone})`,
      configurationId: job.configuration?.id ?? '0',
      configurationName: job.configuration?.name ?? request.name,
      performedBy: job.createdBy,
    },
    'queued',
    now,
  );
  await enqueue(trx, id);
  return id;
}

export async function getReportJob(db: Kysely<Schema>, jobId: string, orgId?: string): Promise<ReportJobRow | undefined> {
  const { rows } = await sql<ReportJobRow>`
    select ${jobColumns} from report_jobs j join tasks t on t.report_job_id = j.id
    where j.id = ${jobId} ${orgId === undefined ? sql`` : sql`and j.org_id = ${orgId}`}`.execute(db);
  return rows[0];
}

export async function listReportJobs(db: Kysely<Schema>, orgId: string, type: string, page: number, pageSize: number) {
  const [count, rows] = await Promise.all([
    sql<{ n: number }>`select count(*)::int as n from report_jobs where org_id = ${orgId} and type = ${type}`.execute(db),
    sql<ReportJobRow>`
      select ${jobColumns} from report_jobs j join tasks t on t.report_job_id = j.id
      where j.org_id = ${orgId} and j.type = ${type}
      order by j.id desc limit ${pageSize} offset ${page * pageSize}`.execute(db),
  ]);
  return { count: count.rows[0].n, rows: rows.rows };
}

/**
 * Moves a job from one status to another, only if it is still in `from`;
 * returns whether it moved. Every transition the renderer and the API make goes
 * through here, so a cancelled job never comes back to life.
 */
export async function moveReportJob(
  db: Kysely<Schema>,
  jobId: string,
  from: ReportJobStatus[],
  to: ReportJobStatus,
  now: Date,
  changes: Partial<{ failure_reason: string; attempts: number; file_name: string | null; file_size: number; row_count: number; finished_at: string; expires_at: string | null }> = {},
): Promise<boolean> {
  const result = await db
    .updateTable('report_jobs')
    .set({ ...changes, file_size: changes.file_size?.toString(), row_count: changes.row_count?.toString(), status: to, updated_at: now.toISOString() })
    .where('id', '=', jobId)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
