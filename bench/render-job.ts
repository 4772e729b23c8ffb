/**
 * Renders one report job in a process of its own and prints what it took:
 * `{"seconds", "maxRssMb", "rows", "bytes"}`. Used by bench/report.ts so that
 * the memory figure is the renderer's alone.
 */
import { createDb } from '../src/db/create-db.ts';
import { getReportJob } from '../src/reports/jobs.queries.ts';
import { renderReportJob } from '../src/reports/render.ts';

const database = createDb({ databaseUrl: process.env.DATABASE_URL });
const started = performance.now();
await renderReportJob(
  { db: database.db, reportsDir: process.env.REPORTS_DIR!, fileTtlDays: 1, now: () => new Date() },
  process.env.JOB_ID!,
  1,
);
const seconds = (performance.now() - started) / 1000;
const job = await getReportJob(database.db, process.env.JOB_ID!);
await database.close();
console.log(
  JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, rows: Number(job?.row_count), bytes: Number(job?.file_size), status: job?.status }),
);
