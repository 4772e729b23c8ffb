import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { grantOf } from '../auth/route-access.ts';
import { durationMs } from '../config.ts';
import { invalid } from '../errors.ts';
import { nameParam, textParam } from '../shared/query-params.ts';
import { withoutNulls } from '../shared/sql.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { payloadFiltersOf, secondsSince } from './payloads.routes.ts';
import { errorResponses, paging, Payload, payloadFilters } from './payloads.schemas.ts';
import { listStuckPayloads, STUCK_SORT_FIELDS } from './stuck.queries.ts';

/** Ten years: longer than any retention, and short enough to subtract from now. */
const MAX_STUCK_AFTER_MS = 3660 * 86_400_000;

const StuckQuery = (maxPageSize: number) =>
  Type.Object({
    ...paging(maxPageSize),
    sort_by: Type.Optional(Type.Enum([...STUCK_SORT_FIELDS], { default: 'last_date', description: 'Attribute to sort results by' })),
    sort_dir: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'asc', description: 'Direction to sort; oldest first by default' })),
    stuck_after: Type.Optional(
      Type.String({ description: 'How long without a new status makes a payload stuck: 90s, 30m, 2h, 1d; STUCK_AFTER by default' }),
    ),
    service: Type.Optional(Type.String({ description: 'filter for the last service seen' })),
    ...payloadFilters,
  });

const StuckPayload = Type.Object({
  ...Payload.properties,
  last_service: Type.String(),
  last_source: Type.Optional(Type.String()),
  last_status: Type.String(),
  last_date: Type.String({ format: 'date-time' }),
  age_seconds: Type.Number({ description: 'Seconds since the last status' }),
});

const StuckList = Type.Object({
  count: Type.Integer({ description: 'Total number of stuck payloads with filters only' }),
  elapsed: Type.Number({ description: 'Total elapsed time in seconds of API request' }),
  stuck_after_seconds: Type.Number(),
  terminal_statuses: Type.Array(Type.String(), { description: 'Statuses that end a payload: success, error and TERMINAL_STATUSES' }),
  groups: Type.Array(Type.Object({ service: Type.String(), count: Type.Integer() }), {
    description: 'The stuck payloads per last service seen, most first',
  }),
  data: Type.Array(StuckPayload),
});

export const stuckRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, { db, config, now }) => {
  app.get(
    '/stuck-payloads',
    {
      config: { access: { payloadReader: true } },
      schema: {
        summary: 'Payloads whose last status is not terminal and older than stuck_after',
        description:
          'A payload is stuck when its last status (by date) is none of success, error and TERMINAL_STATUSES, ' +
          'and no status came for stuck_after. Filters, paging and the exact count work as on the payload list.',
        querystring: StuckQuery(config.maxPageSize),
        response: { 200: StuckList, ...errorResponses },
      },
    },
    async (request) => {
      const start = performance.now();
      const { query } = request;
      const given = textParam(query.stuck_after);
      const stuckAfterMs = given === undefined ? config.stuckAfterMs : durationMs(given);
      if (!(stuckAfterMs > 0 && stuckAfterMs <= MAX_STUCK_AFTER_MS)) {
        throw invalid('stuck_after', `must be a duration such as 90s, 30m, 2h or 1d, up to 3660d, not "${given}"`);
      }
      const asOf = now().getTime();
      const { count, groups, rows } = await listStuckPayloads(
        db,
        {
          ...payloadFiltersOf(query, grantOf(request).orgId),
          service: nameParam(query.service),
          quietSince: new Date(asOf - stuckAfterMs).toISOString(),
          terminalStatuses: config.terminalStatuses,
        },
        { page: query.page!, pageSize: query.page_size!, sortBy: query.sort_by!, sortDir: query.sort_dir! },
      );
      const data = rows.map((row) => ({
        ...withoutNulls(row),
        id: Number(row.id),
        age_seconds: (asOf - Date.parse(row.last_date)) / 1000,
      }));
      return {
        count,
        elapsed: secondsSince(start),
        stuck_after_seconds: stuckAfterMs / 1000,
        terminal_statuses: [...config.terminalStatuses],
        groups,
        data,
      };
    },
  );
};
