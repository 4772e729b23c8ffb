import pino from 'pino';
import type { Config } from '../src/config.ts';
import type { Database } from '../src/db/create-db.ts';
import { startReportQueue } from '../src/reports/report-queue.ts';

/** The report queue that creating a job needs, enqueueing only: the worker process renders. */
export function enqueueOnlyReportQueue(database: Database, config: Readonly<Config>) {
  return startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: 1, now: () => new Date() },
    { maxAttempts: 1, heartbeatSeconds: 10, work: false, log: pino({ level: 'warn' }) },
  );
}
