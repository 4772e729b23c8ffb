import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../auth/route-access.ts';
import { refuseForeignItems } from '../shared/org-binding.ts';
import { ErrorBody, sendPayloadTrackerError } from '../shared/platform-errors.ts';
import { acceptNdjson, asBatch, batchOf } from '../shared/batch.ts';
import type { GatheringDeps } from './gathering.routes.ts';
import { RULE_NAME_MAX, validateResults } from './results.validate.ts';
import { storeResults } from './results.write.ts';

const MAX_RESULTS_PER_REQUEST = 1000;

/** An ID the pipeline sends as a JSON number or as digits. */
const NumberOrDigits = Type.Unsafe<number | string>({ type: ['integer', 'string'], description: 'a whole number' });

/** The rules pipeline's message; validateResults reads and normalizes what the schema lets through. */
const ResultsMessage = Type.Object(
  {
    OrgID: NumberOrDigits,
    AccountNumber: Type.Optional(Type.Union([NumberOrDigits, Type.Null()])),
    ClusterName: Type.String({ description: 'the cluster ID, a UUID' }),
    RequestId: Type.String({ description: '1 to 64 letters and digits, or a UUID' }),
    LastChecked: Type.Optional(Type.String({ description: 'RFC 3339; used when Metadata.gathering_time is absent' })),
    Metadata: Type.Optional(Type.Object({ gathering_time: Type.Optional(Type.String({ description: 'RFC 3339' })) })),
    Report: Type.Optional(
      Type.Union([
        Type.Object({
          reports: Type.Optional(
            Type.Union([
              Type.Array(
                Type.Object({
                  component: Type.String({ minLength: 1, maxLength: RULE_NAME_MAX }),
                  key: Type.String({ minLength: 1, maxLength: RULE_NAME_MAX }),
                }),
              ),
              Type.Null(),
            ]),
          ),
        }),
        Type.Null(),
      ]),
    ),
  },
  { description: 'A ccx.ocp.results message of the rules pipeline' },
);

/** Where the rules pipeline stores what it found in each gathered archive. */
export const resultsRoutes: FastifyPluginAsyncTypebox<GatheringDeps> = async (app, { db, config, now }) => {
  // Served beside /v1/statuses, so its errors read the same.
  app.setErrorHandler(sendPayloadTrackerError);
  acceptNdjson(app);
  app.post(
    '/results',
    {
      bodyLimit: config.ingestBodyLimit,
      schema: {
        summary: 'Store rules-pipeline results: one message, a JSON array of them, or NDJSON',
        description:
          'All or nothing, like status ingest. Results for a request stored before replace it. ' +
          `At most ${MAX_RESULTS_PER_REQUEST} messages a request (413 beyond). An NDJSON body (application/x-ndjson) is read as the array of its lines.`,
        body: Type.Union([ResultsMessage, Type.Array(ResultsMessage, { minItems: 1 })]),
        response: {
          200: Type.Object({ stored: Type.Integer({ description: 'Gathering requests stored or replaced' }) }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
        },
      },
      config: { access: { token: 'results:write' } },
      preValidation: asBatch({ noun: 'results messages', maxItems: MAX_RESULTS_PER_REQUEST }),
      // The schema's errors are told with validateResults', every bad item at once.
      attachValidation: true,
    },
    async (request) => {
      const { items, schemaProblems } = batchOf(request);
      const results = validateResults(items, MAX_RESULTS_PER_REQUEST, schemaProblems);
      const caller = callerOf(request);
      refuseForeignItems(results, caller, (result) => (result.orgId !== caller.orgId ? 'OrgID' : undefined));
      return { stored: await storeResults(db, results, now()) };
    },
  );
};
