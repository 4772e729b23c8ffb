import type { FastifyBaseLogger } from 'fastify';
import { fromKysely, PgBoss, type Job } from 'pg-boss';
import type { Database } from '../db/create-db.ts';
import { addTaskMessage } from '../tasks/tasks.queries.ts';
import { getReportJob, type Enqueue } from './jobs.queries.ts';
import { failReportJob, renderReportJob, type RenderDeps } from './render.ts';
import { deliverReport, type MailConfig } from '../schedules/mail.ts';

const RENDER_QUEUE = 'report-render';
const MAIL_QUEUE = 'report-mail';
/** Where pg-boss puts a render whose worker stopped answering on its last attempt. */
const ABANDONED_QUEUE = 'report-render-abandoned';

export interface ReportQueueOptions {
  maxAttempts: number;
  heartbeatSeconds: number;
  /** Whether this process renders reports, or only enqueues them. */
  work: boolean;
  /** How often pg-boss looks for jobs whose worker stopped answering (its default: a minute). */
  superviseSeconds?: number;
  /** How often an idle worker looks for a job to render. */
  pollingIntervalSeconds?: number;
  /** How finished scheduled reports are mailed; without it they are not. */
  mail?: { config: MailConfig; maxAttempts: number; retryDelaySeconds: number };
  log: FastifyBaseLogger;
}

export interface ReportQueue {
  enqueue: Enqueue;
  stop(): Promise<void>;
}

/**
 * The report queues on pg-boss: rendering, and mailing scheduled reports. A
 * render is tried up to `maxAttempts` times; a worker that dies mid-job stops
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
  await boss.createQueue(RENDER_QUEUE, {
    retryLimit: maxAttempts - 1,
    retryDelay: 2,
    retryBackoff: true,
    heartbeatSeconds,
    expireInSeconds: 6 * 3600,
    deadLetter: ABANDONED_QUEUE,
  });

  await boss.createQueue(MAIL_QUEUE, {
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
      await failReportJob(deps, job.data.jobId, `no worker finished it in ${maxAttempts} attempts`);
    });
  }
  return {
    enqueue: async (trx, jobId) => {
      await boss.send(RENDER_QUEUE, { jobId }, { db: fromKysely(trx) });
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

async function renderAttempt(deps: RenderDeps, job: Job<{ jobId: string }>, maxAttempts: number, log: FastifyBaseLogger) {
  const attempt = job.retryCount + 1;
  try {
    await renderReportJob(deps, job.data.jobId, attempt, job.signal);
  } catch (error) {
    const reason = (error as Error).message;
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
