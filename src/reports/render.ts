import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { addTaskMessage, finishTask } from '../tasks/tasks.queries.ts';
import { getReportJob, moveReportJob, type ReportJobRow } from './jobs.queries.ts';
import { hostsWithoutData, REPORT_SOURCES, type ReportType } from './report-types.ts';
import { EXTENSIONS, ReportFileWriter, type ReportFormat } from './writers.ts';

export interface RenderDeps {
  db: Kysely<Schema>;
  reportsDir: string;
  fileTtlDays: number;
  now: () => Date;
  /** Rows read from the database at a time. */
  batchSize?: number;
  /** Queues the mail of a finished report to its recipients, in the transaction that marks it done. */
  enqueueMail?: (trx: Transaction<Schema>, jobId: string, recipients: string[]) => Promise<void>;
}

const PROGRESS_EVERY_ROWS = 100_000;

/** The file of a finished job; only ever a complete one, put in place by rename. */
export function reportFilePath(reportsDir: string, fileName: string): string {
  return path.join(reportsDir, fileName);
}

/** A filename a person can keep: the job's name in safe characters, its ID and the format's extension. */
export function downloadName(row: ReportJobRow) {
  const slug = row.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'report';
  return `${slug}-${row.id}.${row.file_name?.split('.').pop()}`;
}

/**
 * Renders a report job's file: rows are read in batches and written as they
 * come, into a temporary file that is synced and then renamed into place, so
 * that a renderer dying mid-job leaves at most a stray temporary file and never a
 * half-written report. A job cancelled meanwhile is left as it is.
 */
export async function renderReportJob(deps: RenderDeps, jobId: string, attempt: number, signal?: AbortSignal) {
  const { db, now } = deps;
  const job = await getReportJob(db, jobId);
  if (!job || !(await moveReportJob(db, jobId, ['CREATED', 'PROCESSING'], 'PROCESSING', now(), { attempts: attempt }))) {
    return; // deleted, or finished by an attempt that died just after
  }
  await addTaskMessage(db, job.task_id, attempt === 1 ? 'rendering' : `rendering again (attempt ${attempt})`, now());

  const format = job.format as ReportFormat;
  const source = REPORT_SOURCES[job.type as ReportType];
  await fs.promises.mkdir(deps.reportsDir, { recursive: true });
  const fileName = `${job.id}.${EXTENSIONS[format]}`;
  const temporary = reportFilePath(deps.reportsDir, `.${fileName}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const writer = new ReportFileWriter(temporary, format, source.columns);
  let rows = 0;
  const scope = {
    orgId: job.org_id,
    from: job.span_from,
    to: job.span_to,
    timezone: job.timezone,
    hosts: job.hosts,
    services: job.services,
  };
  try {
    await writer.begin();
    let nextProgress = PROGRESS_EVERY_ROWS;
    for await (const batch of source.batches(db, scope, deps.batchSize ?? 5000)) {
      signal?.throwIfAborted();
      await writer.write(batch);
      rows += batch.length;
      if (rows >= nextProgress) {
        await addTaskMessage(db, job.task_id, `${rows} rows read`, now());
        nextProgress += PROGRESS_EVERY_ROWS;
        // A job deleted while it renders stops here rather than at the end.
        if ((await getReportJob(db, jobId))?.status !== 'PROCESSING') throw new Cancelled();
      }
    }
    await writer.end();
  } catch (error) {
    await writer.discard();
    if (error instanceof Cancelled) return;
    throw error;
  }
  const finalPath = reportFilePath(deps.reportsDir, fileName);
  await fs.promises.rename(temporary, finalPath);
  const size = (await fs.promises.stat(finalPath)).size;
  const finished = now();
  const recipients = deps.enqueueMail ? job.send_to : [];
  const hostsNotFound = job.hosts.length > 0 ? await hostsWithoutData(db, scope) : [];
  const written = `file written: ${fileName}, ${size} bytes`;
  // The task tells the outcome in the transaction that marks the job DONE: no reader sees one without the other.
  const done = await db.transaction().execute(async (trx) => {
    const moved = await moveReportJob(trx, jobId, ['PROCESSING'], 'DONE', finished, {
      file_name: fileName,
      file_size: size,
      row_count: rows,
      finished_at: finished.toISOString(),
      expires_at: new Date(finished.getTime() + deps.fileTtlDays * 86_400_000).toISOString(),
    });
    if (moved && recipients.length > 0) {
      await trx
        .insertInto('mail_deliveries')
        .values(recipients.map((recipient) => ({ report_job_id: jobId, recipient })))
        .execute();
      await deps.enqueueMail!(trx, jobId, recipients);
    }
    if (moved) {
      await addTaskMessage(trx, job.task_id, `${rows} rows read`, finished);
      if (hostsNotFound.length > 0)
        await addTaskMessage(trx, job.task_id, `nothing found for host(s): ${hostsNotFound.join(', ')}`, finished);
      // A mailed report's task ends once every recipient has an outcome.
      if (recipients.length > 0) await addTaskMessage(trx, job.task_id, `${written}; mailing ${recipients.length} recipient(s)`, finished);
      else await finishTask(trx, job.task_id, 'End', written, finished);
    }
    return moved;
  });
  if (!done) {
    await fs.promises.rm(finalPath, { force: true }); // deleted while it rendered
    return;
  }
  await removeLeftovers(deps.reportsDir, fileName);
}

class Cancelled extends Error {}

/** Temporary files that attempts which died before this one left behind. */
async function removeLeftovers(reportsDir: string, fileName: string) {
  for (const name of await fs.promises.readdir(reportsDir)) {
    if (name.startsWith(`.${fileName}.`) && name.endsWith('.tmp')) {
      await fs.promises.rm(path.join(reportsDir, name), { force: true });
    }
  }
}

/** Records a job's last failed attempt: the job fails with the reason, and so does its task. */
export async function failReportJob(deps: RenderDeps, jobId: string, reason: string) {
  const job = await getReportJob(deps.db, jobId);
  if (!job) return;
  const at = deps.now();
  if (
    await moveReportJob(deps.db, jobId, ['CREATED', 'PROCESSING'], 'FAILED', at, { failure_reason: reason, finished_at: at.toISOString() })
  ) {
    await finishTask(deps.db, job.task_id, 'Failed', `failed: ${reason}`, at);
  }
}
