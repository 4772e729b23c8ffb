import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from './app.ts';
import { startBusConsumer } from './bus/bus-consumer.ts';
import { JetStreamSource } from './bus/jetstream-source.ts';
import { createToken, listTokens, revokeToken } from './auth/tokens.ts';
import { checkExposure, ConfigError, loadConfig, parseDuration, type Config } from './config.ts';
import { LISTEN_BACKLOG } from './connection-limits.ts';
import { createDb, type Database } from './db/create-db.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { redactUrlsIn } from './redact.ts';
import { serveMetrics } from './metrics-server.ts';
import { migrate } from './db/migrate.ts';
import { PartitionKeeper } from './db/partitions.ts';
import { AppError } from './errors.ts';
import { importRuleContent } from './gathering/rules-import.ts';
import type { Enqueue } from './reports/jobs.queries.ts';
import { startReportQueue } from './reports/report-queue.ts';
import { startScheduler } from './schedules/scheduler.ts';
import { ensureUpcomingPartitions } from './upkeep/retention.ts';
import { startUpkeep } from './upkeep/upkeep.ts';

const USAGE = `Usage: tracker <command>

Commands:
  serve [--roles api,worker]                        run the HTTP API (api) and the report worker, scheduler and
                                                    upkeep (worker); both by default, or one per process to scale out
  migrate                                           apply pending database migrations and exit
  token create --org ORG --user NAME --scopes a,b   create an API token and print it; --all-orgs lets a producer
        [--all-orgs] [--expires-in 90d]             write (or a reader read) every org's payloads
  token list                                        every token: ID, org, user, scopes, expiry (no secrets)
  token revoke ID                                   refuse a token from now on
  rules import FILE                                 replace the rule content catalogue with FILE (JSON)
  help                                              show this text

Configuration comes from the environment; see the README.`;

function openDb(config: Readonly<Config>, holder: string) {
  return createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    holder,
    timeouts: config.databaseTimeouts,
    onConnectionError: (error) => console.error(`tracker: a database connection failed: ${redactUrlsIn(error.message)}`),
  });
}

const ROLES = ['api', 'worker'] as const;
type Role = (typeof ROLES)[number];

function readRoles(args: string[]): Set<Role> {
  const { values } = parseArgs({ args, options: { roles: { type: 'string', default: ROLES.join(',') } } });
  const roles = values.roles.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0 || roles.length === 0) {
    throw new AppError('invalid', `--roles takes ${ROLES.join(' and/or ')}, comma-separated, not "${values.roles}"`);
  }
  return new Set(roles as Role[]);
}

async function serve(config: Readonly<Config>, roles: Set<Role>) {
  if (roles.has('api')) checkExposure(config);
  const database = openDb(config, 'tracker serve');
  await migrate(database);
  const partitions = new PartitionKeeper(database.db);
  await ensureUpcomingPartitions(partitions, new Date());
  const log = createLogger(config.logLevel, config.logFormat);
  const worker = roles.has('worker');
  // An API-only process enqueues reports; the workers render and mail them.
  const reportQueue = await startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: config.reportFileTtlDays, now: () => new Date() },
    {
      maxAttempts: config.reportMaxAttempts,
      heartbeatSeconds: config.reportHeartbeatSeconds,
      work: worker,
      mail: { config, maxAttempts: config.mailMaxAttempts, retryDelaySeconds: config.mailRetryDelaySeconds },
      log,
    },
  );
  // One set of metrics for the process: the API's /metrics shows the bus consumer's too when both roles run here.
  const metrics = createMetrics();
  const stopWorkerRole = worker
    ? await startWorkerRole(config, database.db, partitions, reportQueue.enqueue, log, metrics)
    : async () => {};
  const app = roles.has('api')
    ? await buildApp({ db: database.db, ping: database.ping, config, partitions, enqueueReport: reportQueue.enqueue, log, metrics })
    : undefined;
  // A worker-only process has no API to show its metrics on: it serves them alone, when asked to.
  const metricsServer = !app && config.metricsPort ? serveMetrics(metrics, config.host, config.metricsPort, log) : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: stopping`);
    if (app) {
      // Requests under way get a grace period; connections still open after it are cut.
      setTimeout(() => app.server.closeAllConnections(), 10_000).unref();
      await app.close();
    }
    metricsServer?.close();
    await stopWorkerRole();
    await reportQueue.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // Said once a signal would stop Tracker cleanly.
  const where = database.kind === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL';
  if (app) {
    const address = await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
    log.info(`Tracker serves ${address} (API docs at ${address}/docs) on ${where}`);
  }
  if (worker) log.info(`Tracker renders and mails reports, runs schedules and upkeep on ${where}`);
}

/** The scheduler, the upkeep and, with NATS_URL, the bus consumer; returns how to stop them. */
async function startWorkerRole(
  config: Readonly<Config>,
  db: Database['db'],
  partitions: PartitionKeeper,
  enqueue: Enqueue,
  log: pino.Logger,
  metrics: Metrics,
) {
  const stopUpkeep = startUpkeep({
    db,
    partitions,
    retentionDays: config.retentionDays,
    gatheringTtlMs: config.gatheringTtlMs,
    reportsDir: config.reportsDir,
    log,
  });
  const stopScheduler = startScheduler({ db, enqueue, now: () => new Date() }, log);
  const { bus } = config;
  const consumer = bus
    ? startBusConsumer({
        // Opened in the background: NATS out of reach delays the consumer only, not the API nor the rest of the worker.
        source: () => JetStreamSource.open(bus, `tracker worker ${process.pid}`),
        bus,
        db,
        partitions,
        retentionDays: config.retentionDays,
        orgId: bus.orgId,
        now: () => new Date(),
        metrics,
        log,
      })
    : undefined;
  return async () => {
    await consumer?.stop();
    await stopScheduler();
    await stopUpkeep();
  };
}

async function runMigrate(config: Readonly<Config>) {
  const database = openDb(config, 'tracker migrate');
  try {
    const applied = await migrate(database);
    console.error(applied.length > 0 ? `applied ${applied.join(', ')}` : 'the database is up to date');
  } finally {
    await database.close();
  }
}

async function runToken(config: Readonly<Config>, args: string[]) {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      user: { type: 'string' },
      scopes: { type: 'string' },
      'all-orgs': { type: 'boolean', default: false },
      'expires-in': { type: 'string' },
    },
  });
  const [command, id] = positionals;
  if (!['create', 'list', 'revoke'].includes(command ?? '')) {
    throw new AppError('invalid', `unknown token command "${command ?? ''}"\n\n${USAGE}`);
  }
  if (command === 'revoke' && !id) throw new AppError('invalid', 'usage: tracker token revoke ID (see tracker token list)');
  const expiresInMs = values['expires-in'] === undefined ? undefined : parseDuration(values['expires-in'], '--expires-in');
  const database = openDb(config, `tracker token ${command}`);
  try {
    await migrate(database);
    if (command === 'list') {
      for (const token of await listTokens(database.db)) process.stdout.write(`${JSON.stringify(token)}\n`);
    } else if (command === 'revoke') {
      await revokeToken(database.db, id, new Date());
      console.error(`token ${id} is revoked`);
    } else {
      const token = await createToken(database.db, {
        orgId: values.org ?? '',
        userName: values.user ?? '',
        scopes: (values.scopes ?? '')
          .split(',')
          .map((scope) => scope.trim())
          .filter(Boolean),
        allOrgs: values['all-orgs'],
        expiresAt: expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs),
      });
      // Only the token goes to stdout, so that `$(tracker token create …)` captures it alone.
      process.stdout.write(`${token}\n`);
    }
  } finally {
    await database.close();
  }
}

async function runRules(config: Readonly<Config>, args: string[]) {
  const [subcommand, file] = args;
  if (subcommand !== 'import' || !file) throw new AppError('invalid', `usage: tracker rules import FILE\n\n${USAGE}`);
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('invalid', `cannot read ${file}: ${(error as Error).message}`);
  }
  const database = openDb(config, 'tracker rules import');
  try {
    await migrate(database);
    const count = await importRuleContent(database.db, content);
    console.error(`the rule catalogue now holds the ${count} rules of ${file}`);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    console.error(USAGE);
    return;
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'serve':
      return serve(config, readRoles(rest));
    case 'migrate':
      return runMigrate(config);
    case 'token':
      return runToken(config, rest);
    case 'rules':
      return runRules(config, rest);
    default:
      throw new AppError('invalid', `unknown command "${command}"\n\n${USAGE}`);
  }
}

/** SQLSTATEs of a server that answers but refuses us: bad password or role, no such database. */
const REFUSED_STATES = new Set(['28P01', '28000', '3D000']);

/** One line for a database that cannot be reached or refuses us at start-up, naming where and what to check. */
function databaseProblem(error: unknown): string | undefined {
  const url = process.env.DATABASE_URL;
  const code = String((error as { code?: unknown }).code);
  if (!url || !(isDatabaseUnavailable(error) || REFUSED_STATES.has(code))) return undefined;
  const where = URL.canParse(url) ? new URL(url) : undefined;
  const target = where ? `${where.hostname}:${where.port || 5432}${where.pathname}` : 'DATABASE_URL';
  return (
    `cannot use the database at ${target}: ${(error as Error).message}. ` +
    'Check that PostgreSQL runs there and accepts connections, and that the user, password and database in DATABASE_URL are right'
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A mistake of the caller's, or a database out of reach, is told as one line; anything else with its stack.
  const known =
    error instanceof AppError || error instanceof ConfigError || String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  // Whatever failed may quote a URL from the configuration, password and all.
  console.error(`tracker: ${redactUrlsIn(known ? (error as Error).message : (databaseProblem(error) ?? String((error as Error).stack)))}`);
  process.exit(1);
});
