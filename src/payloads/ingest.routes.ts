import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../auth/route-access.ts';
import { acceptNdjson, asBatch, batchOf } from '../shared/batch.ts';
import { REQUEST_ID_RULE } from '../shared/request-id.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { bindToProducerOrg, ForeignPayloadsError } from './ingest.org.ts';
import { refuseForeignItems } from '../shared/org-binding.ts';
import type { Caller } from '../auth/tokens.ts';
import { ID_MAX, ingestWindow, NAME_MAX, STATUS_MSG_MAX, validateStatusEventsInSteps, type StatusEvent } from './ingest.validate.ts';
import { GroupCommit } from './group-commit.ts';
import { storeStatusEventGroups, storeStatusEvents } from './ingest.write.ts';
import { ErrorBody } from '../shared/platform-errors.ts';

/**
 * A field producers send as text, a number or null ("None", "" and null all
 * mean absent). The schema says the JSON types and lengths; `validateStatusEvents`
 * (shared with the bus, which has no schema) says the rest.
 */
const Text = (maxLength: number, description?: string) =>
  Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'], maxLength, ...(description ? { description } : {}) });

const StatusMessage = Type.Object(
  {
    service: Text(NAME_MAX),
    source: Type.Optional(Text(NAME_MAX)),
    account: Type.Optional(Text(ID_MAX)),
    org_id: Type.Optional(Text(ID_MAX)),
    request_id: Text(ID_MAX, REQUEST_ID_RULE),
    inventory_id: Type.Optional(Text(ID_MAX, 'a UUID')),
    system_id: Type.Optional(Text(ID_MAX, 'a UUID')),
    status: Text(NAME_MAX),
    status_msg: Type.Optional(Text(STATUS_MSG_MAX)),
    date: Text(ID_MAX, 'RFC 3339; a space for "T" and a missing offset (UTC) are accepted'),
  },
  {
    description: 'A platform.payload-status message',
    examples: [
      {
        service: 'advisor',
        source: 'insights-client',
        account: '000001',
        org_id: '000001',
        request_id: '12345678-1234-1234-1234-123456789012',
        inventory_id: '12345678-1234-1234-1234-123456789012',
        system_id: '12345678-1234-1234-1234-123456789012',
        status: 'received',
        status_msg: 'payload received',
        date: '2026-11-25T14:36:20.123456Z',
      },
    ],
  },
);

const IngestResult = Type.Object({
  received: Type.Integer({ description: 'Status events in the request' }),
  stored: Type.Integer({ description: 'Status events stored now; the rest had been stored before' }),
});

/** Requests with fewer events than this are stored by group commit. */
const GROUPED_BELOW = 100;
/** How long a commit of a few requests waits for more after a commit of many (see GroupCommit). */
const GROUP_WINDOW_MS = 1;

export const ingestRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, deps) => {
  const { db, config, metrics, partitions } = deps;
  acceptNdjson(app);
  const groupCommit = new GroupCommit((groups) => storeStatusEventGroups(db, partitions, groups), {
    concurrency: config.ingestConcurrentCommits,
    // The batch size that stores fastest (see the ingest bench); a bigger request goes alone.
    maxEvents: 1000,
    windowMs: GROUP_WINDOW_MS,
    onBatch: (requests) => metrics.ingestRequestsPerCommit.observe(requests),
  });

  app.post(
    '/statuses',
    {
      bodyLimit: config.ingestBodyLimit,
      schema: {
        summary: 'Store status events: one message, a JSON array of them, or NDJSON (application/x-ndjson)',
        description:
          `All or nothing: every event is stored in one transaction before the answer, or none is. ` +
          `Requests of fewer than ${GROUPED_BELOW} events that arrive while others are being stored are stored together (group commit); ` +
          'each is answered after the commit that stored it. ' +
          `At most ${config.ingestMaxEvents} events and ${config.ingestBodyLimit} bytes a request (413 beyond). ` +
          'An NDJSON body (application/x-ndjson) is read as the array of its lines.',
        body: Type.Union([StatusMessage, Type.Array(StatusMessage, { minItems: 1 })]),
        response: { 200: IngestResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody },
      },
      config: { access: { token: 'statuses:write' } },
      preValidation: asBatch({ noun: 'status events', maxItems: config.ingestMaxEvents }),
      // The schema's errors are told with validateStatusEvents', every bad item at once.
      attachValidation: true,
    },
    async (request) => {
      const { items, schemaProblems } = batchOf(request);
      metrics.consumedMessages.inc(items.length);
      let events;
      try {
        events = await validateStatusEventsInSteps(
          items,
          config.ingestMaxEvents,
          ingestWindow(deps.now(), config.retentionDays),
          schemaProblems,
        );
        events = await bindToProducerOrg(db, events, callerOf(request));
      } catch (error) {
        metrics.messageProcessErrors.inc(items.length);
        throw error;
      }
      const stopTimer = metrics.messageProcessSeconds.startTimer();
      // A request of many events is a batch already: it is stored at once, beside the others, as before group commit.
      const stored = await refusingForeignPayloads(events, callerOf(request), () =>
        events.length >= GROUPED_BELOW ? storeStatusEvents(db, partitions, events).then(({ stored }) => stored) : groupCommit.store(events),
      );
      stopTimer();
      metrics.storedMessages.inc(stored);
      return { received: events.length, stored };
    },
  );
};

/**
 * Runs `store`; when the database finds payloads another org stored first
 * (after `bindToProducerOrg` looked), the events for them are refused as that
 * check refuses them, and nothing is stored.
 */
async function refusingForeignPayloads(events: StatusEvent[], caller: Caller, store: () => Promise<number>): Promise<number> {
  try {
    return await store();
  } catch (error) {
    if (!(error instanceof ForeignPayloadsError)) throw error;
    refuseForeignItems(events, caller, (event) => (error.requestIds.has(event.requestId) ? 'request_id' : undefined));
    throw error;
  }
}
