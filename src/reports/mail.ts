import nodemailer from 'nodemailer';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Schema } from '../db/schema.ts';
import { redactUrlsIn } from '../redact.ts';
import { withNanos } from '../shared/timestamps.ts';
import { getReportJob, type ReportJobRow } from '../reports/jobs.queries.ts';
import { downloadName, reportFilePath } from '../reports/render.ts';
import { addTaskMessage, finishTask } from '../tasks/tasks.queries.ts';

export type MailConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'mailAttachmentMaxBytes' | 'publicUrl' | 'reportsDir'>;

export interface MailDeps {
  db: Kysely<Schema>;
  config: MailConfig;
  now: () => Date;
}

/** Whether retrying can help: an SMTP 5xx answer is final, anything else (4xx, no connection) may pass later. */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

function compose(job: ReportJobRow, config: MailConfig, recipient: string) {
  const size = Number(job.file_size);
  const subject = `Tracker report "${job.name}": ${job.span_from_text} to ${job.span_to_text} (${job.timezone})`;
  const summary = `The ${job.type} report "${job.name}" for ${job.span_from_text} to ${job.span_to_text} (${job.timezone}) has ${job.row_count} rows.`;
  if (size <= config.mailAttachmentMaxBytes) {
    return {
      how: `attached, ${size} bytes`,
      message: {
        from: config.mailFrom,
        to: recipient,
        subject,
        text: `${summary}\nIt is attached.\n`,
        attachments: [{ filename: downloadName(job), path: reportFilePath(config.reportsDir, job.file_name!) }],
      },
    };
  }
  const link = `${config.publicUrl}/data/reports/${job.type}/files/${job.id}`;
  return {
    how: `as a link, ${size} bytes`,
    message: {
      from: config.mailFrom,
      to: recipient,
      subject,
      text: `${summary}\nAt ${size} bytes it is too large to attach: download it (with a data-reports:read token) from\n${link}\nuntil ${withNanos(job.expires_at!)}.\n`,
    },
  };
}

/**
 * Mails a finished report to one recipient. Returns normally when the outcome
 * is final (sent, or failed for good); throws when the attempt should be retried.
 */
export async function deliverReport(deps: MailDeps, jobId: string, recipient: string, attempt: number, maxAttempts: number) {
  const { db, config, now } = deps;
  const job = await getReportJob(db, jobId);
  if (!job) return;
  const record = (status: 'sent' | 'failed', error: string | null) =>
    db
      .updateTable('mail_deliveries')
      .set({ status, attempts: attempt, last_error: error })
      .where('report_job_id', '=', jobId)
      .where('recipient', '=', recipient)
      .execute();
  try {
    if (job.status !== 'DONE' || !job.file_name) throw Object.assign(new Error(`the report is ${job.status}`), { responseCode: 550 });
    if (!config.smtpUrl) throw Object.assign(new Error('no SMTP server is configured (SMTP_URL)'), { responseCode: 550 });
    const { how, message } = compose(job, config, recipient);
    const transport = nodemailer.createTransport(config.smtpUrl);
    try {
      await transport.sendMail(message);
    } finally {
      transport.close();
    }
    await record('sent', null);
    await addTaskMessage(db, job.task_id, `sent to ${recipient} (${how})`, now());
  } catch (error) {
    // Shown in the task's messages; an SMTP error may quote the server's URL.
    const reason = redactUrlsIn((error as Error).message);
    if (!isPermanent(error) && attempt < maxAttempts) {
      await db
        .updateTable('mail_deliveries')
        .set({ attempts: attempt, last_error: reason })
        .where('report_job_id', '=', jobId)
        .where('recipient', '=', recipient)
        .execute();
      await addTaskMessage(
        db,
        job.task_id,
        `delivery to ${recipient} failed (attempt ${attempt} of ${maxAttempts}): ${reason}; trying again`,
        now(),
      );
      throw error;
    }
    await record('failed', reason);
    await addTaskMessage(db, job.task_id, `delivery to ${recipient} failed: ${reason}`, now());
  }
  await settleRun(deps, job);
}

/** Once every recipient has an outcome, the run ends: End when all were sent, Failed naming those that were not. */
async function settleRun({ db, now }: MailDeps, job: ReportJobRow) {
  await db.transaction().execute(async (trx) => {
    // One settler at a time per job, so that the last two outcomes cannot both think the other is pending.
    await sql`select id from report_jobs where id = ${job.id} for update`.execute(trx);
    const { rows } = await sql<{ status: string; recipient: string }>`
      select status, recipient from mail_deliveries where report_job_id = ${job.id} order by recipient`.execute(trx);
    if (rows.some((row) => row.status === 'pending')) return;
    const failed = rows.filter((row) => row.status === 'failed').map((row) => row.recipient);
    if (failed.length === 0) await finishTask(trx, job.task_id, 'End', `mailed to ${rows.length} recipient(s)`, now());
    else await finishTask(trx, job.task_id, 'Failed', `not delivered to ${failed.join(', ')}`, now());
  });
}
