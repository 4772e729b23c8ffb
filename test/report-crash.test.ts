import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { createDb, type DbOptions } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { validateStatusEvents } from '../src/payloads/ingest.validate.ts';
import { storeStatusEvents } from '../src/payloads/ingest.write.ts';
import { readJobRequest } from '../src/reports/job-request.ts';
import { createReportJob, getReportJob } from '../src/reports/jobs.queries.ts';
import { startReportQueue } from '../src/reports/report-queue.ts';
import { getTask } from '../src/tasks/tasks.queries.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { waitFor } from './wait.ts';

const WORKER = path.join(import.meta.dirname, 'fixtures', 'report-worker.ts');
const ROWS = 3_000;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-crash-'));
const reportsDir = path.join(workDir, 'reports');
let dropServerDatabase = async () => {};
after(async () => {
  await dropServerDatabase();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function databaseOptions(): Promise<DbOptions> {
  if (!process.env.TEST_DATABASE_URL) return { dataDir: path.join(workDir, 'data') };
  const server = await createServerDatabase(process.env.TEST_DATABASE_URL);
  dropServerDatabase = server.drop;
  return { databaseUrl: server.url };
}

/** Stores ROWS statuses and asks for a csv of them; the database is closed again for the workers. */
async function prepare(options: DbOptions): Promise<string> {
  const database = createDb(options);
  try {
    await migrate(database);
    const events = validateStatusEvents(
      Array.from({ length: ROWS }, (_, index) => ({
        request_id: `r${Math.floor(index / 4)}`,
        service: `svc${index % 4}`,
        status: 'success',
        date: new Date(Date.UTC(2026, 10, 1) + index * 1000).toISOString(),
        org_id: 'crash-org',
      })),
      ROWS,
      { earliestMs: Date.UTC(2026, 10, 1), latestMs: Date.UTC(2026, 10, 2) },
    );
    await storeStatusEvents(database.db, new PartitionKeeper(database.db), events);
    const queue = await startReportQueue(
      database,
      { db: database.db, reportsDir, fileTtlDays: 1, now: () => new Date() },
      // The queue is created here, and with it the heartbeat its jobs carry: the worker's own settings
      // (test/fixtures/report-worker.ts) do not change a queue that exists, so they are the same here.
      { maxAttempts: 5, heartbeatSeconds: 30, work: false, log: pino({ level: 'silent' }) },
    );
    const request = await readJobRequest(
      database.db,
      'statuses',
      { format: 'csv', timespan: { from: '2026-11-01', to: '2026-12-01' } },
      31,
    );
    const jobId = await createReportJob(database.db, { orgId: 'crash-org', createdBy: 'tester', request }, queue.enqueue, 15, new Date());
    await queue.stop();
    return jobId;
  } finally {
    await database.close();
  }
}

/** A worker process; `batch` rows at a time (small, for a kill to land mid-file), else the production batch. */
function startWorker(options: DbOptions, jobId: string, batch?: number) {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl ?? '',
      DATA_DIR: options.dataDir ?? '',
      REPORTS_DIR: reportsDir,
      JOB_ID: jobId,
      BATCH: batch === undefined ? '' : String(batch),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, exited };
}

const files = () => (fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir) : []);

test('a worker killed mid-job: the job is picked up again and ends with one correct file', { timeout: 240_000 }, async () => {
  const options = await databaseOptions();
  const jobId = await prepare(options);

  const first = startWorker(options, jobId, 10);
  // Kill it once it has written part of its temporary file.
  await waitFor(
    () => {
      const partial = files().find((name) => name.endsWith('.tmp'));
      return partial && fs.statSync(path.join(reportsDir, partial)).size > 2000;
    },
    { what: 'a partly written report', intervalMs: 10, timeoutMs: 60_000 },
  );
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(!files().includes(`${jobId}.csv`), 'no report file is in place after the kill');

  const second = startWorker(options, jobId);
  assert.equal(await second.exited, 0);

  const database = createDb(options);
  try {
    const job = await getReportJob(database.db, jobId);
    assert.equal(job?.status, 'DONE', `the job ended ${job?.status}: ${job?.failure_reason}`);
    assert.equal(Number(job?.row_count), ROWS);
    assert.deepEqual(files(), [`${jobId}.csv`], 'the one file, and no temporary file left behind');
    const lines = fs.readFileSync(path.join(reportsDir, `${jobId}.csv`), 'utf8').split('\r\n');
    assert.equal(lines[0], 'date,request_id,service,source,status,status_msg,account,org_id,inventory_id,system_id');
    assert.equal(lines.length, ROWS + 2, 'a header, every row once, and the final line break');
    assert.equal(lines[1], '2026-11-01T00:00:00.000000+00:00,r0,svc0,,success,,,crash-org,,');
    assert.equal(lines[ROWS], `2026-11-01T00:49:59.000000+00:00,r${(ROWS - 1) >> 2},svc3,,success,,,crash-org,,`);
    assert.equal(new Set(lines).size, lines.length, 'no row twice');
    const task = await getTask(database.db, 'crash-org', String(job?.task_id));
    assert.equal(task.state, 'End');
    const messages = task.messages.map((message) => message.message.replace(/\d+ bytes/, 'N bytes'));
    assert.deepEqual(messages.slice(0, 3), ['queued', 'rendering', 'rendering again (attempt 2)']);
    assert.deepEqual(messages.slice(-2), [`${ROWS} rows read`, `file written: ${jobId}.csv, N bytes`]);
    // Between them only what a loaded machine adds: a live worker's lapsed claim, retried.
    for (const message of messages.slice(3, -2)) {
      assert.match(
        message,
        /^attempt \d+ failed: .* no longer active under this worker's claim; trying again$|^rendering again \(attempt \d+\)$/,
      );
    }
  } finally {
    await database.close();
  }
});
