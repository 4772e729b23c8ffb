import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import type { Config } from './config.ts';
import { PartitionKeeper } from './db/partitions.ts';
import type { Schema } from './db/schema.ts';
import { gatheringRoutes } from './gathering/gathering.routes.ts';
import { resultsRoutes } from './gathering/results.routes.ts';
import { DatabaseLiveness } from './health/database-liveness.ts';
import { healthRoutes } from './health/health.routes.ts';
import { CallerLookup } from './auth/caller-lookup.ts';
import { busHealthProbe } from './bus/bus-health.ts';
import { deadLetterRoutes } from './bus/dead-letters.routes.ts';
import { guardRoutes } from './auth/route-access.ts';
import { whoamiRoutes } from './auth/whoami.routes.ts';
import { sendInEnvelopeOfPath } from './api-envelopes.ts';
import { sendGatheringError } from './gathering/gathering.errors.ts';
import { sendReportError } from './reports/reports.errors.ts';
import { scheduleError } from './schedules/schedules.routes.ts';
import { sendTaskError } from './tasks/tasks.routes.ts';
import { refuseWhileClosing } from './closing.ts';
import { consoleRoutes } from './console/console.routes.ts';
import { limitConnections } from './connection-limits.ts';
import { answerClientError, MAX_PARAM_LENGTH } from './http-errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { payloadTrackerApi } from './payloads/payload-tracker.plugin.ts';
import { sendPayloadTrackerError } from './shared/platform-errors.ts';
import { rejectNonFiniteNumbers, rejectNulCharacters, yieldForLargeBodies } from './input-guards.ts';
import { parseQueryString } from './query-string.ts';
import { AnsweredRequestLog } from './request-log.ts';
import { schemaValidators } from './schema-validators.ts';
import type { Enqueue } from './reports/jobs.queries.ts';
import { reportJobRoutes } from './reports/jobs.routes.ts';
import { scheduleRoutes } from './schedules/schedules.routes.ts';
import { acceptJsonBodies } from './shared/json-body.ts';
import { taskRoutes } from './tasks/tasks.routes.ts';

export interface AppDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  /** Injectable clock; the real one by default. */
  now?: () => Date;
  partitions?: PartitionKeeper;
  /** Puts report jobs on the rendering queue. */
  enqueueReport: Enqueue;
  /** Where the built web console is; `dist/web` by default. */
  consoleDir?: string;
  /** The process's logger; one at `config.logLevel` by default. */
  log?: FastifyBaseLogger;
  /** Asks the database whether it answers, for /v1/health (Database.ping); a `select 1` through `db` by default. */
  ping?: () => Promise<unknown>;
  /** The process's metrics, shared with its bus consumer; the app's own by default. */
  metrics?: Metrics;
}

/**
 * Where the payload tracker answers: its spec's `/v1`, the platform deployment's
 * `/api/v1`, and the path the platform's frontend calls.
 */
export const PAYLOAD_TRACKER_PREFIXES = ['/v1', '/api/v1', '/app/payload-tracker/api/v1'];

/** Where the gathering API answers: its spec's paths, and the prefix the Insights Operator calls in production. */
export const GATHERING_PREFIXES = ['', '/api/insights-results-aggregator/v2'];

export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { metrics: Metrics }> {
  const { db, config } = deps;
  const app = Fastify({
    loggerInstance: deps.log ?? (pino({ level: config.logLevel }) as FastifyBaseLogger),
    // A client gets this long to send its headers, and its whole request; checked every second.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    requestTimeout: config.requestTimeoutMs,
    // request.ip from X-Forwarded-For only from the proxies TRUST_PROXY names.
    trustProxy: config.trustProxy,
    clientErrorHandler: answerClientError,
    routerOptions: { querystringParser: parseQueryString, ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    schemaController: schemaValidators(),
    // Errors are worded from `validation` at the edge (http-errors.ts), for the items a refusal lists;
    // Fastify's own message would word every error first (a batch's bad items beyond the 100th among them).
    schemaErrorFormatter: (errors, part) => new Error(`the ${part} does not match its schema (${errors.length} errors)`),
    logController: new AnsweredRequestLog(),
    // A malformed %-encoding or an over-long path parameter, found before any route's error handler is known.
    frameworkErrors: sendInEnvelopeOfPath(
      [
        ['/api/v1/reports/', scheduleError()],
        ['/data/reports/', sendReportError],
        ['/task/', sendTaskError],
        ['/cluster/', sendGatheringError],
        [`${GATHERING_PREFIXES[1]}/`, sendGatheringError],
      ],
      sendPayloadTrackerError,
    ),
    // refuseWhileClosing answers instead, in each API's envelope and with Retry-After.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  refuseWhileClosing(app);
  limitConnections(
    app,
    { total: config.maxConnections, perClient: config.maxConnectionsPerClient },
    new Set(['', ...PAYLOAD_TRACKER_PREFIXES].map((prefix) => `${prefix}/health`)),
  );
  const metrics = deps.metrics ?? createMetrics();
  const payloadDeps = {
    db,
    config,
    metrics,
    partitions: deps.partitions ?? new PartitionKeeper(db),
    now: deps.now ?? (() => new Date()),
  };

  const featureDeps = { db, config, now: payloadDeps.now };

  await registerOpenApi(app, [
    ...PAYLOAD_TRACKER_PREFIXES.slice(1).map((prefix) => ({ prefix, of: PAYLOAD_TRACKER_PREFIXES[0] })),
    ...GATHERING_PREFIXES.slice(1).map((prefix) => ({ prefix, of: GATHERING_PREFIXES[0] })),
  ]);
  // Set before the routes, so that every plugin inherits them unless its API has its own envelope.
  app.setNotFoundHandler((request, reply) =>
    sendPayloadTrackerError(
      Object.assign(new Error(`no route ${request.method} ${request.url.split('?')[0]}`), { statusCode: 404 }),
      request,
      reply,
    ),
  );
  app.setErrorHandler(sendPayloadTrackerError);
  const callers = new CallerLookup(db, config.tokenCacheSeconds * 1000);
  guardRoutes(app, callers, config);
  acceptJsonBodies(app);
  // Between the steps that read a whole body, the event loop gets through (see yieldForLargeBodies).
  app.addHook('preValidation', yieldForLargeBodies);
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('preValidation', yieldForLargeBodies);
  app.addHook('preHandler', yieldForLargeBodies);
  app.addHook('preHandler', rejectNonFiniteNumbers);
  app.addHook('preHandler', yieldForLargeBodies);

  app.addHook('onResponse', async (_request, reply) => {
    metrics.requests.inc();
    metrics.responses.inc({ code: String(reply.statusCode) });
  });

  const bus = config.bus && busHealthProbe(config.bus);
  if (bus) app.addHook('onClose', () => bus.close());
  const ping = deps.ping ?? (() => sql`select 1`.execute(db));
  const healthDeps = { liveness: new DatabaseLiveness(ping, config.databaseTimeouts.statementMs), busHealth: bus?.probe };
  for (const prefix of PAYLOAD_TRACKER_PREFIXES) {
    await app.register(payloadTrackerApi, { ...payloadDeps, prefix });
    await app.register(resultsRoutes, { ...featureDeps, prefix });
    await app.register(healthRoutes, { ...healthDeps, prefix });
  }
  for (const prefix of GATHERING_PREFIXES) {
    await app.register(gatheringRoutes, { ...featureDeps, prefix });
  }
  await app.register(reportJobRoutes, { ...featureDeps, enqueue: deps.enqueueReport });
  await app.register(scheduleRoutes, { ...featureDeps, enqueue: deps.enqueueReport });
  await app.register(taskRoutes, { db, now: payloadDeps.now });
  await app.register(healthRoutes, healthDeps);
  await app.register(whoamiRoutes, { callers, config });
  await app.register(deadLetterRoutes, { ...featureDeps, partitions: payloadDeps.partitions, prefix: '/v1' });
  await app.register(consoleRoutes, { dir: deps.consoleDir });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return Object.assign(app, { metrics });
}
