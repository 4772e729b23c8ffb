import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerAuth } from '../auth/bearer-auth.ts';
import { refuseForeignItems } from '../shared/org-binding.ts';
import { sendPayloadTrackerError } from '../payloads/payloads.errors.ts';
import { ErrorBody } from '../payloads/payloads.schemas.ts';
import { acceptNdjson, batchItems } from '../shared/batch.ts';
import type { GatheringDeps } from './gathering.routes.ts';
import { validateResults } from './results.validate.ts';
import { storeResults } from './results.write.ts';

const MAX_RESULTS_PER_REQUEST = 1000;

const ResultsMessage = Type.Object(
  {
    OrgID: Type.Union([Type.Integer(), Type.String()]),
    AccountNumber: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    ClusterName: Type.String({ format: 'uuid' }),
    RequestId: Type.String(),
    LastChecked: Type.Optional(Type.String({ format: 'date-time' })),
    Metadata: Type.Optional(Type.Object({ gathering_time: Type.Optional(Type.String({ format: 'date-time' })) })),
    Report: Type.Optional(
      Type.Object({
        reports: Type.Optional(Type.Array(Type.Object({ component: Type.String(), key: Type.String() }))),
      }),
    ),
  },
  { description: 'A ccx.ocp.results message of the rules pipeline' },
);

/** Where the rules pipeline stores what it found in each gathered archive. */
export const resultsRoutes: FastifyPluginAsyncTypebox<GatheringDeps> = async (app, { db, config, now }) => {
  // Served beside /v1/statuses, so its errors read the same.
  app.setErrorHandler(sendPayloadTrackerError);
  acceptNdjson(app);
  const auth = bearerAuth(db);
  app.post(
    '/results',
    {
      bodyLimit: config.ingestBodyLimit,
      schema: {
        summary: 'Store rules-pipeline results: one message, a JSON array of them, or NDJSON',
        description:
          'All or nothing, like status ingest. Results for a request stored before replace it. ' +
          `At most ${MAX_RESULTS_PER_REQUEST} messages a request. Needs a bearer token with the scope results:write.`,
        security: [{ bearerAuth: [] }],
        body: {
          content: {
            'application/json': { schema: Type.Union([ResultsMessage, Type.Array(ResultsMessage)]) },
            'application/x-ndjson': { schema: Type.String({ description: 'One results message (JSON) a line' }) },
          },
        },
        response: {
          200: Type.Object({ stored: Type.Integer({ description: 'Gathering requests stored or replaced' }) }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
        },
      },
      onRequest: auth.require('results:write'),
      // Messages are validated by validateResults, which names every bad item's index and field.
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const results = validateResults(batchItems(request.body), MAX_RESULTS_PER_REQUEST);
      const caller = auth.callerOf(request);
      refuseForeignItems(results, caller, (result) => (result.orgId !== caller.orgId ? 'OrgID' : undefined));
      return { stored: await storeResults(db, results, now()) };
    },
  );
};
