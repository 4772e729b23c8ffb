import type { FastifyPluginAsync } from 'fastify';
import type { PayloadTrackerDeps } from './deps.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { linkRoutes } from './links.routes.ts';
import { sendPayloadTrackerError } from '../shared/platform-errors.ts';
import { payloadRoutes } from './payloads.routes.ts';
import { stuckRoutes } from './stuck.routes.ts';
import { liveRoutes } from './live.routes.ts';
import { statsRoutes } from './stats.routes.ts';

/** The Payload Tracker API v1, mounted under each prefix clients call it at. */
export const payloadTrackerApi: FastifyPluginAsync<PayloadTrackerDeps> = async (app, options) => {
  // Passed on without the register options (`prefix`), which would otherwise apply twice.
  const { db, config, metrics, partitions, now } = options;
  const deps = { db, config, metrics, partitions, now };
  app.setErrorHandler(sendPayloadTrackerError);
  await app.register(ingestRoutes, deps);
  await app.register(payloadRoutes, deps);
  await app.register(linkRoutes, deps);
  await app.register(stuckRoutes, deps);
  await app.register(liveRoutes, deps);
  await app.register(statsRoutes, deps);
};
