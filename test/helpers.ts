import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { createToken } from '../src/auth/tokens.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createDb, type Database } from '../src/db/create-db.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { loadMigrations, migrate } from '../src/db/migrate.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { startReportQueue, type ReportQueue } from '../src/reports/report-queue.ts';
import { pgliteImage, serverTemplate } from './templates.ts';

/**
 * A fresh database, migrated (by default to the latest migration): in-memory
 * PGlite by default, or a new database on the PostgreSQL server of
 * TEST_DATABASE_URL, dropped on close. Fully migrated ones are copies of a
 * template (see templates.ts); others are migrated as asked.
 */
export async function freshDatabase(migrations = loadMigrations()): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const complete = migrations.length === loadMigrations().length;
  if (!serverUrl) {
    const database = createDb({ image: complete ? await pgliteImage(migrations) : undefined });
    if (!complete) await migrate(database, migrations);
    return database;
  }
  const server = await createServerDatabase(serverUrl, complete ? await serverTemplate(serverUrl, migrations) : undefined);
  const database = createDb({ databaseUrl: server.url });
  if (!complete) await migrate(database, migrations);
  return {
    ...database,
    async close() {
      await database.close();
      await server.drop();
    },
  };
}

/**
 * The clock of a test app unless the test gives its own: the tests' data is
 * dated around it, and ingest takes only dates near its clock, so the suite
 * passes on any day.
 */
export const TEST_NOW = new Date('2026-11-26T12:00:00Z');

export interface TestApp {
  url: string;
  database: Database;
  config: Readonly<Config>;
  reportQueue: ReportQueue;
  /** The Fastify instance, for tests of how it stops. */
  fastify: FastifyInstance;
  /**
   * A bearer token for `org` with `scopes`. A producer token (statuses:write,
   * results:write) writes every org's data unless `allOrgs` is false, as a
   * platform service's does.
   */
  token(scopes: string[], org?: string, user?: string, options?: { allOrgs?: boolean; expiresAt?: Date }): Promise<string>;
  close(): Promise<void>;
}

/** The whole app on a fresh database, listening on a free port of 127.0.0.1. */
export async function startTestApp(
  options: { env?: Record<string, string>; now?: () => Date; renderBatchSize?: number; renderReports?: boolean } = {},
): Promise<TestApp> {
  const database = await freshDatabase();
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-reports-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', REPORTS_DIR: reportsDir, ...options.env });
  const now = options.now ?? (() => TEST_NOW);
  const reportQueue = await startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: config.reportFileTtlDays, now, batchSize: options.renderBatchSize },
    {
      maxAttempts: config.reportMaxAttempts,
      heartbeatSeconds: config.reportHeartbeatSeconds,
      work: options.renderReports ?? true,
      pollingIntervalSeconds: 0.5,
      mail: { config, maxAttempts: config.mailMaxAttempts, retryDelaySeconds: config.mailRetryDelaySeconds },
      log: pino({ level: 'silent' }),
    },
  );
  const app = await buildApp({
    db: database.db,
    ping: database.ping,
    config,
    now,
    partitions: new PartitionKeeper(database.db),
    enqueueReport: reportQueue.enqueue,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    database,
    config,
    reportQueue,
    fastify: app,
    token: (scopes, org = 'org-1', user = 'tester', options = {}) =>
      createToken(database.db, {
        orgId: org,
        userName: user,
        scopes,
        allOrgs: options.allOrgs ?? scopes.some((scope) => scope.endsWith(':write') && !scope.startsWith('data-reports')),
        expiresAt: options.expiresAt,
      }),
    async close() {
      // Every request of a test has been answered: a keep-alive connection the client still holds need not be waited for.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await reportQueue.stop();
      await database.close();
      fs.rmSync(reportsDir, { recursive: true, force: true });
    },
  };
}

/** Sends JSON (or a raw string body) and reads the JSON answer. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A status event with each of its ten fields of a type no field takes: ten errors for one item. */
export const EVERY_FIELD_WRONG = {
  service: [],
  source: {},
  account: [],
  org_id: {},
  request_id: 5.5,
  inventory_id: [],
  system_id: {},
  status: [],
  status_msg: {},
  date: [],
};
