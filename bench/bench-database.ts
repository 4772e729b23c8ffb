import pino from 'pino';
import type { Config } from '../src/config.ts';
import { createDb, type Database } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { startReportQueue } from '../src/reports/report-queue.ts';
import { createServerDatabase } from '../test/helpers.ts';

/**
 * Runs `measure` on a new, migrated database on the PostgreSQL server of
 * BENCH_DATABASE_URL (default the local one), dropped afterwards.
 */
export async function withBenchDatabase<T>(measure: (database: Database, url: string) => Promise<T>): Promise<T> {
  const server = await createServerDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const database = createDb({ databaseUrl: server.url });
  try {
    await migrate(database);
    return await measure(database, server.url);
  } finally {
    await database.close();
    await server.drop();
  }
}

/** The report queue the app needs, enqueueing only: benchmarks of other things render nothing. */
export function enqueueOnlyReportQueue(database: Database, config: Readonly<Config>) {
  return startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: 1, now: () => new Date() },
    { maxAttempts: 1, heartbeatSeconds: 10, work: false, log: pino({ level: 'warn' }) },
  );
}
