import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { startReportQueue } from '../src/reports/report-queue.ts';
import { freshDatabase } from './helpers.ts';

test('a queue that exists takes the settings of the process starting now: a changed heartbeat or attempt count applies', async () => {
  const database = await freshDatabase();
  const deps = { db: database.db, reportsDir: '/nonexistent', fileTtlDays: 1, now: () => new Date() };
  const start = (maxAttempts: number, heartbeatSeconds: number, mailAttempts: number) =>
    startReportQueue(database, deps, {
      maxAttempts,
      heartbeatSeconds,
      work: false,
      mail: { config: loadConfig({}), maxAttempts: mailAttempts, retryDelaySeconds: 1 },
      log: pino({ level: 'silent' }),
    });
  const settings = async () => {
    const { rows } = await sql<{ name: string; retry_limit: number; heartbeat_seconds: number | null }>`
      select name, retry_limit, heartbeat_seconds from pgboss.queue where name in ('report-render', 'report-mail') order by name`.execute(
      database.db,
    );
    return rows.map((row) => [row.name, row.retry_limit, row.heartbeat_seconds]);
  };
  try {
    await (await start(3, 10, 2)).stop();
    assert.deepEqual(await settings(), [
      ['report-mail', 1, null],
      ['report-render', 2, 10],
    ]);
    await (await start(5, 30, 4)).stop();
    assert.deepEqual(await settings(), [
      ['report-mail', 3, null],
      ['report-render', 4, 30],
    ]);
  } finally {
    await database.close();
  }
});
