import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { readJobRequest } from '../src/reports/job-request.ts';
import { createReportJob } from '../src/reports/jobs.queries.ts';
import { enqueueOnlyReportQueue } from './bench-database.ts';
import { median } from './http-load.ts';
import { startProcess, workerNodeFlags } from './server-process.ts';
import { withOpen, type BenchTarget } from './targets.ts';

export interface ReportFigures {
  rows: number;
  megabytes: number;
  seconds: number;
  workerPeakMb: number;
}

/**
 * A `statuses` report of one org to csv, `rounds` times, rendered by a
 * worker-role process started as `npm run start:worker` starts it: seconds from the start of rendering
 * to the file written, and the worker's peak resident memory. `span` is chosen
 * so that the report holds about a million rows of the scale data.
 */
export async function benchReport(target: BenchTarget, span: { from: string; to: string }, rounds: number): Promise<ReportFigures> {
  const jobIds = await withOpen(target, async (database) => {
    const config = loadConfig({ ...target.serverEnv, LOG_LEVEL: 'warn' });
    const queue = await enqueueOnlyReportQueue(database, config);
    try {
      const request = await readJobRequest(database.db, 'statuses', { format: 'csv', timezone: 'UTC', timespan: span }, 31);
      const ids = [];
      for (let round = 0; round < rounds; round++) {
        ids.push(await createReportJob(database.db, { orgId: 'org0', createdBy: 'bench', request }, queue.enqueue, 15, new Date()));
      }
      return ids;
    } finally {
      await queue.stop();
    }
  });
  const worker = startProcess(['src/main.ts', 'serve', '--roles', 'worker'], { ...target.serverEnv, LOG_LEVEL: 'warn' }, workerNodeFlags());
  try {
    return await withOpen(target, async (database) => {
      for (let waited = 0; ; waited += 250) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from report_jobs where id = any(${jobIds}::bigint[]) and status in ('DONE', 'FAILED')`.execute(
          database.db,
        );
        if (rows[0].n === jobIds.length) break;
        if (waited > 600_000) throw new Error('the reports were not rendered within 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const { rows } = await sql<{ status: string; rows: string; bytes: string; seconds: number }>`
        select j.status, j.row_count as rows, j.file_size as bytes,
          extract(epoch from j.finished_at - (select min(m.time) from task_messages m where m.task_id = t.id and m.message like 'rendering%'))::float8 as seconds
        from report_jobs j join tasks t on t.report_job_id = j.id where j.id = any(${jobIds}::bigint[])`.execute(database.db);
      const failed = rows.find((row) => row.status !== 'DONE');
      if (failed) throw new Error(`a report job ended ${failed.status}`);
      return {
        rows: Number(rows[0].rows),
        megabytes: Number(rows[0].bytes) / 1_048_576,
        seconds: median(rows.map((row) => row.seconds)),
        workerPeakMb: worker.peakMb(),
      };
    });
  } finally {
    await worker.stop();
  }
}
