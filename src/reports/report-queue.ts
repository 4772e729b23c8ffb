import type { FastifyBaseLogger } from 'fastify';
import { fromKysely, PgBoss, type Job, type Queue } from 'pg-boss';
import type { Database } from '../db/create-db.ts';
import { addTaskMessage } from '../tasks/tasks.queries.ts';
import { getReportJob, type Enqueue } from './jobs.queries.ts';
import { failReportJob, renderReportJob, type RenderDeps } from './render.ts';
import { deliverReport, type MailConfig } from './mail.ts';

const RENDER_QUEUE = 'report-render';
const MAIL_QUEUE = 'report-mail';
/** Where pg-boss puts a render whose renderer stopped answering on its last attempt. */
const ABANDONED_QUEUE = 'report-render-abandoned';

export interface ReportQueueOptions {
  maxAttempts: number;
  heartbeatSeconds: number;
  /** Whether this process renders reports, or only enqueues them. */
  work: boolean;
  /** How often pg-boss looks for jobs whose renderer stopped answering (its default: a minute). */
  superviseSeconds?: number;
  /** How often an idle renderer looks for a job to render. */
  pollingIntervalSeconds?: number;
  /** How finished scheduled reports are mailed; without it they are not. */
  mail?: { config: MailConfig; maxAttempts: number; retryDelaySeconds: number };
  log: FastifyBaseLogger;
}

export interface ReportQueue {
  enqueue: Enqueue;
  stop(): Promise<void>;
}

type QueueSettings = Pick<Queue, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'heartbeatSeconds' | 'expireInSeconds' | 'deadLetter'>;

/**
 * Creates the queue, or gives an existing one these settings: pg-boss creates a
 * queue once and leaves one that exists as it was, so a REPORT_HEARTBEAT_SECONDS,
 * REPORT_MAX_ATTEMPTS or MAIL_* changed after the first start would never reach
 * the jobs queued from then on.
 */
async function settleQueue(boss: PgBoss, name: string, options: QueueSettings): Promise<void> {
  await boss.createQueue(name, options);
  await boss.updateQueue(name, options);
}

/**
 * The report queues on pg-boss: rendering, and mailing scheduled reports. A
 * render is tried up to `maxAttempts` times; a renderer that dies mid-job stops
 * its heartbeat and the job is retried elsewhere.
 */
export async function startReportQueue(
  database: Database,
  deps: RenderDeps,
  { maxAttempts, heartbeatSeconds, work, superviseSeconds, pollingIntervalSeconds = 2, mail, log }: ReportQueueOptions,
): Promise<ReportQueue> {
  const boss = new PgBoss({
    ...database.bossConnection,
    ...(superviseSeconds ? { superviseIntervalSeconds: superviseSeconds, monitorIntervalSeconds: superviseSeconds } : {}),
    schedule: false,
  });
  boss.on('error', (error) => log.error({ err: error }, 'report queue error'));
  await boss.start();
  await boss.createQueue(ABANDONED_QUEUE);
  await settleQueue(boss, RENDER_QUEUE, {
    retryLimit: maxAttempts - 1,
    retryDelay: 2,
    retryBackoff: true,
    heartbeatSeconds,
    expireInSeconds: 6 * 3600,
    deadLetter: ABANDONED_QUEUE,
  });
  await settleQueue(boss, MAIL_QUEUE, {
    retryLimit: (mail?.maxAttempts ?? 1) - 1,
    retryDelay: mail?.retryDelaySeconds ?? 1,
    retryBackoff: true,
    expireInSeconds: 600,
  });
  const renderDeps: RenderDeps = mail
    ? {
        ...deps,
        enqueueMail: async (trx, jobId, recipients) => {
          for (const recipient of recipients) await boss.send(MAIL_QUEUE, { jobId, recipient }, { db: fromKysely(trx) });
        },
      }
    : deps;

  if (work) {
    await boss.work<{ jobId: string }>(RENDER_QUEUE, { localConcurrency: 1, pollingIntervalSeconds }, async ([job]) => {
      await renderAttempt(renderDeps, job, maxAttempts, log);
    });
    if (mail) {
      const mailDeps = { db: deps.db, config: mail.config, now: deps.now };
      await boss.work<{ jobId: string; recipient: string }>(MAIL_QUEUE, { localConcurrency: 2, pollingIntervalSeconds }, async ([job]) => {
        await deliverReport(mailDeps, job.data.jobId, job.data.recipient, job.retryCount + 1, mail.maxAttempts);
      });
    }
    await boss.work<{ jobId: string }>(ABANDONED_QUEUE, { pollingIntervalSeconds }, async ([job]) => {
      await failReportJob(deps, job.data.jobId, `no renderer finished it in ${maxAttempts} attempts`);
    });
  }
  return {
    enqueue: async (trx, jobId) => {
      await boss.send(RENDER_QUEUE, { jobId }, { db: fromKysely(trx) });
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

/** What a file error means, for the failures users read. */
const FILE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the reports directory does not exist',
  ENOTDIR: 'the reports directory is not a directory',
  EEXIST: 'the reports directory is not a directory',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
};

/**
 * Why an attempt failed, as the job and its task tell users: what went wrong,
 * never the server's file paths (the log keeps the whole error).
 */
export function failureReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code && FILE_ERRORS[code]) return `the report file could not be written: ${FILE_ERRORS[code]} (${code})`;
  return String(message).replace(/(['"]?)\/[^\s'",]+\1/g, 'a file');
}

async function renderAttempt(deps: RenderDeps, job: Job<{ jobId: string }>, maxAttempts: number, log: FastifyBaseLogger) {
  const attempt = job.retryCount + 1;
  try {
    await renderReportJob(deps, job.data.jobId, attempt, job.signal);
  } catch (error) {
    const reason = failureReason(error);
    log.warn({ err: error, reportJob: job.data.jobId, attempt }, 'report rendering failed');
    if (attempt >= maxAttempts) {
      await failReportJob(deps, job.data.jobId, `attempt ${attempt} of ${maxAttempts} failed: ${reason}`);
      return;
    }
    const stored = await getReportJob(deps.db, job.data.jobId);
    if (stored) await addTaskMessage(deps.db, stored.task_id, `attempt ${attempt} failed: ${reason}; trying again`, deps.now());
    throw error;
  }
}
