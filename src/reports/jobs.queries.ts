import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ReportJobsTable, ReportJobStatus, Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { createTask } from '../tasks/tasks.queries.ts';
import type { JobRequest } from './job-request.ts';

/** Puts a job on the rendering queue inside the transaction that creates it, so neither exists without the other. */
export type Enqueue = (trx: Transaction<Schema>, jobId: string) => Promise<void>;

/** A report job with the task that records its execution. */
export type ReportJobRow = Selectable<ReportJobsTable> & { task_id: string };

/** Report jobs joined to their tasks, for the lookups below. */
const jobsWithTasks = (db: Kysely<Schema>) =>
  db.selectFrom('report_jobs as j').innerJoin('tasks as t', 't.report_job_id', 'j.id').selectAll('j').select('t.id as task_id');

export interface NewJob {
  orgId: string;
  createdBy: string;
  request: JobRequest;
  /** The schedule that runs it, or none for a job asked for directly. */
  configuration?: { id: string; name: string };
}

/** How many of the org's jobs are created or processing: what the quota counts. */
export async function countUnfinishedJobs(db: Kysely<Schema> | Transaction<Schema>, orgId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from report_jobs where org_id = ${orgId} and status in ('CREATED', 'PROCESSING')`.execute(db);
  return rows[0].n;
}

/**
 * Refuses one more job when the org has `maxUnfinished` created or processing.
 * Counted under a per-org lock held to the end of `trx`, so that concurrent
 * requests cannot pass the quota together: insert the job in the same transaction.
 */
export async function checkReportQuota(trx: Transaction<Schema>, orgId: string, maxUnfinished: number) {
  await sql`select pg_advisory_xact_lock(hashtext(${`report-quota:${orgId}`}))`.execute(trx);
  const unfinished = await countUnfinishedJobs(trx, orgId);
  if (unfinished >= maxUnfinished) {
    throw new AppError('too_many', `the org has ${unfinished} unfinished report jobs; at most ${maxUnfinished} may wait at once`);
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
  return jobsWithTasks(db)
    .where('j.id', '=', jobId)
    .$if(orgId !== undefined, (query) => query.where('j.org_id', '=', orgId!))
    .executeTakeFirst();
}

export async function listReportJobs(db: Kysely<Schema>, orgId: string, type: string, page: number, pageSize: number) {
  const [count, rows] = await Promise.all([
    db
      .selectFrom('report_jobs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', orgId)
      .where('type', '=', type)
      .executeTakeFirstOrThrow(),
    jobsWithTasks(db)
      .where('j.org_id', '=', orgId)
      .where('j.type', '=', type)
      .orderBy('j.id', 'desc')
      .limit(pageSize)
      .offset(page * pageSize)
      .execute(),
  ]);
  return { count: Number(count.n), rows };
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
  changes: Partial<{
    failure_reason: string;
    attempts: number;
    file_name: string | null;
    file_size: number;
    row_count: number;
    finished_at: string;
    expires_at: string | null;
  }> = {},
): Promise<boolean> {
  const result = await db
    .updateTable('report_jobs')
    .set({
      ...changes,
      file_size: changes.file_size?.toString(),
      row_count: changes.row_count?.toString(),
      status: to,
      updated_at: now.toISOString(),
    })
    .where('id', '=', jobId)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
