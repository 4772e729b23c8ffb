/**
 * Report benchmark: a `statuses` report of ROWS status events (default
 * 1,000,000) to csv on PostgreSQL (BENCH_DATABASE_URL, default the local
 * server), rendered by a process of its own. Prints the seconds and the
 * renderer's peak memory.
 *
 *   node bench/report.ts [--rows 1000000] [--format csv]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { validateStatusEvents } from '../src/payloads/ingest.validate.ts';
import { storeStatusEvents } from '../src/payloads/ingest.write.ts';
import { readJobRequest } from '../src/reports/job-request.ts';
import { createReportJob } from '../src/reports/jobs.queries.ts';
import { enqueueOnlyReportQueue, withBenchDatabase } from './bench-database.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, format: { type: 'string', default: 'csv' } } });
const ROWS = Number(values.rows);
const BATCH = 10_000;
const SERVICES = ['ingress', 'puptoo', 'inventory', 'storage-broker', 'insights-engine', 'ccx-rules', 'advisor'];
const START = Date.UTC(2026, 10, 1);

const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bench-reports-'));
try {
  await withBenchDatabase(async (database, url) => {
    const loadStarted = performance.now();
    const partitions = new PartitionKeeper(database.db);
    for (let offset = 0; offset < ROWS; offset += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, ROWS - offset) }, (_, i) => {
        const index = offset + i;
        return {
          request_id: `p${Math.floor(index / 8)}`,
          service: SERVICES[index % SERVICES.length],
          status: index % 10 === 0 ? 'error' : 'success',
          status_msg: index % 10 === 0 ? 'archive could not be parsed, "bad tar"' : undefined,
          date: new Date(START + Math.floor((index * 7 * 86_400_000) / ROWS)).toISOString(),
          org_id: 'bench',
          account: '1234',
        };
      });
      await storeStatusEvents(database.db, partitions, validateStatusEvents(items, BATCH));
    }
    console.log(`loaded ${ROWS} status events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    // What autovacuum does within a minute of such a load; without it the first plans guess blindly.
    if (!process.argv.includes('--no-analyze')) await sql`analyze`.execute(database.db);

    const queue = await enqueueOnlyReportQueue(database, loadConfig({ REPORTS_DIR: reportsDir }));
    const request = await readJobRequest(database.db, 'statuses', { format: values.format, timezone: 'Europe/Rome', timespan: { from: '2026-11-01', to: '2026-11-09' } }, 31);
    const jobId = await createReportJob(database.db, { orgId: 'bench', createdBy: 'bench', request }, queue.enqueue, 15, new Date());
    await queue.stop();

    const child = spawn(process.execPath, [...(process.env.RENDER_NODE_FLAGS ?? '').split(' ').filter(Boolean), path.join(import.meta.dirname, 'render-job.ts')], {
      env: { ...process.env, DATABASE_URL: url, REPORTS_DIR: reportsDir, JOB_ID: jobId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    await new Promise((resolve) => child.on('exit', resolve));
    const result = JSON.parse(output);
    console.log(`| report | rows | seconds | renderer peak RSS | file |`);
    console.log(`| --- | --- | --- | --- | --- |`);
    console.log(
      `| statuses, ${values.format}, Europe/Rome | ${result.rows} | ${result.seconds.toFixed(1)} | ${result.maxRssMb.toFixed(0)} MB | ${(result.bytes / 1048576).toFixed(0)} MiB |`,
    );
  });
} finally {
  fs.rmSync(reportsDir, { recursive: true, force: true });
}
