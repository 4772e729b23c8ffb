import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from './app.ts';
import { createToken } from './auth/tokens.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb } from './db/create-db.ts';
import { migrate } from './db/migrate.ts';
import { PartitionKeeper } from './db/partitions.ts';
import { AppError } from './errors.ts';
import { importRuleContent } from './gathering/rules-import.ts';
import { startReportQueue } from './reports/report-queue.ts';
import { startScheduler } from './schedules/scheduler.ts';
import { ensureUpcomingPartitions } from './worker/retention.ts';
import { startUpkeep } from './worker/upkeep.ts';

const USAGE = `Usage: tracker <command>

Commands:
  serve                                             run the HTTP API, the report worker, the scheduler and the upkeep
  migrate                                           apply pending database migrations and exit
  token create --org ORG --user NAME --scopes a,b   create an API token and print it
  rules import FILE                                 replace the rule content catalogue with FILE (JSON)
  help                                              show this text

Configuration comes from the environment; see the README.`;

function openDb(config: Readonly<Config>, holder: string) {
  return createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    holder,
    onConnectionError: (error) => console.error(`tracker: a database connection failed: ${error.message}`),
  });
}

async function serve(config: Readonly<Config>) {
  const database = openDb(config, 'tracker serve');
  await migrate(database);
  const partitions = new PartitionKeeper(database.db);
  await ensureUpcomingPartitions(partitions, new Date());
  const log = pino({ level: config.logLevel });
  const reportQueue = await startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: config.reportFileTtlDays, now: () => new Date() },
    {
      maxAttempts: config.reportMaxAttempts,
      heartbeatSeconds: config.reportHeartbeatSeconds,
      work: true,
      mail: { config, maxAttempts: config.mailMaxAttempts, retryDelaySeconds: config.mailRetryDelaySeconds },
      log,
    },
  );
  const app = await buildApp({ db: database.db, config, partitions, enqueueReport: reportQueue.enqueue });
  const stopUpkeep = startUpkeep({
    db: database.db,
    partitions,
    retentionDays: config.retentionDays,
    gatheringTtlMs: config.gatheringTtlMs,
    reportsDir: config.reportsDir,
    log: app.log,
  });
  const stopScheduler = startScheduler({ db: database.db, enqueue: reportQueue.enqueue, now: () => new Date() }, app.log);
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `Tracker serves ${address} (API docs at ${address}/docs) on ${database.kind === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal} received: stopping`);
    // Requests under way get a grace period; connections still open after it are cut.
    setTimeout(() => app.server.closeAllConnections(), 10_000).unref();
    await app.close();
    await stopScheduler();
    await reportQueue.stop();
    await stopUpkeep();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
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
    options: { org: { type: 'string' }, user: { type: 'string' }, scopes: { type: 'string' } },
  });
  if (positionals[0] !== 'create') throw new AppError('invalid', `unknown token command "${positionals[0] ?? ''}"\n\n${USAGE}`);
  const database = openDb(config, 'tracker token create');
  try {
    await migrate(database);
    const token = await createToken(database.db, {
      orgId: values.org ?? '',
      userName: values.user ?? '',
      scopes: (values.scopes ?? '').split(',').map((scope) => scope.trim()).filter(Boolean),
    });
    // Only the token goes to stdout, so that `$(tracker token create …)` captures it alone.
    process.stdout.write(`${token}\n`);
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
      return serve(config);
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

main(process.argv.slice(2)).catch((error: unknown) => {
  // A mistake of the caller's is told as a message; anything else with its stack.
  const known =
    error instanceof AppError ||
    error instanceof ConfigError ||
    String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  console.error(`tracker: ${known ? (error as Error).message : (error as Error).stack}`);
  process.exit(1);
});
