import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerAuth } from '../auth/bearer-auth.ts';
import { acceptNdjson, batchItems } from '../shared/batch.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { bindToProducerOrg } from './ingest.org.ts';
import { ingestWindow, validateStatusEvents } from './ingest.validate.ts';
import { storeStatusEvents } from './ingest.write.ts';
import { ErrorBody } from './payloads.schemas.ts';

const StatusMessage = Type.Object(
  {
    service: Type.String(),
    source: Type.Optional(Type.String()),
    account: Type.Optional(Type.String()),
    org_id: Type.Optional(Type.String()),
    request_id: Type.String({ description: '32 hex digits, a UUID, or 1–64 letters, digits, "-" and "_"' }),
    inventory_id: Type.Optional(Type.String({ format: 'uuid' })),
    system_id: Type.Optional(Type.String({ format: 'uuid' })),
    status: Type.String(),
    status_msg: Type.Optional(Type.String()),
    date: Type.String({ description: 'RFC 3339; a space for "T" and a missing offset (UTC) are accepted' }),
  },
  { description: 'A platform.payload-status message' },
);

const IngestResult = Type.Object({
  received: Type.Integer({ description: 'Status events in the request' }),
  stored: Type.Integer({ description: 'Status events stored now; the rest had been stored before' }),
});

export const ingestRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, deps) => {
  const { db, config, metrics, partitions } = deps;
  const auth = bearerAuth(db);
  acceptNdjson(app);

  app.post(
    '/statuses',
    {
      bodyLimit: config.ingestBodyLimit,
      schema: {
        summary: 'Store status events: one message, a JSON array of them, or NDJSON (application/x-ndjson)',
        description:
          `All or nothing: every event is stored in one transaction before the answer, or none is. ` +
          `At most ${config.ingestMaxEvents} events and ${config.ingestBodyLimit} bytes a request. ` +
          'Needs a bearer token with the scope statuses:write.',
        security: [{ bearerAuth: [] }],
        body: {
          content: {
            'application/json': { schema: Type.Union([StatusMessage, Type.Array(StatusMessage)]) },
            'application/x-ndjson': {
              schema: Type.String({ description: 'One status message (JSON) a line' }),
            },
          },
        },
        response: { 200: IngestResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody },
      },
      // A caller without the scope is turned away before its body is read.
      onRequest: auth.require('statuses:write'),
      // Items are validated by validateStatusEvents, which names every bad item's index and field.
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const items = batchItems(request.body);
      metrics.consumedMessages.inc(items.length);
      let events;
      try {
        events = validateStatusEvents(items, config.ingestMaxEvents, ingestWindow(deps.now(), config.retentionDays));
        events = await bindToProducerOrg(db, events, auth.callerOf(request));
      } catch (error) {
        metrics.messageProcessErrors.inc(items.length);
        throw error;
      }
      const stopTimer = metrics.messageProcessSeconds.startTimer();
      const result = await storeStatusEvents(db, partitions, events);
      stopTimer();
      metrics.storedMessages.inc(result.stored);
      return result;
    },
  );
};
