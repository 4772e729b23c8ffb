import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { grantOf } from '../auth/route-access.ts';
import { invalid } from '../errors.ts';
import { withoutNulls } from '../shared/sql.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { countOutcomesSince, type PayloadFilters } from './counts.ts';
import type { Static } from 'typebox';
import { readPayloadDetail } from './payload-detail.ts';
import { listPayloads, listStatuses, type Paging } from './payloads.queries.ts';
import {
  errorResponses,
  PayloadDetail,
  payloadDetailQuery,
  type payloadFilterQuery,
  payloadListQuery,
  PayloadList,
  RequestIdParams,
  StatsQuery,
  StatusList,
  statusListQuery,
  SuccessRate,
} from './payloads.schemas.ts';
import { nameParam, requestIdParam, textParam, timeRangeParams, uuidParam } from '../shared/query-params.ts';
import { successRates } from './success-rate.ts';

interface PagingQuery {
  page?: number;
  page_size?: number;
  sort_by?: string;
  sort_dir?: 'asc' | 'desc';
}

/** Validation has filled in the schema's default of every paging parameter; this only tells TypeScript so. */
function pagingOf(query: PagingQuery): Paging {
  return { page: query.page!, pageSize: query.page_size!, sortBy: query.sort_by!, sortDir: query.sort_dir! };
}

/** The payload list's filters, which the stuck payloads take too. */
export function payloadFiltersOf(query: Static<typeof payloadFilterQuery>, visibleOrg: string | undefined): PayloadFilters {
  return {
    visibleOrg,
    account: textParam(query.account),
    orgId: textParam(query.org_id),
    inventoryId: uuidParam('inventory_id', query.inventory_id),
    systemId: uuidParam('system_id', query.system_id),
    lastStatus: nameParam(query.last_status),
    createdAt: timeRangeParams(query, 'created_at'),
  };
}

export const secondsSince = (start: number) => (performance.now() - start) / 1000;

export const payloadRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, { db, config, now }) => {
  const access = { payloadReader: true } as const;

  app.get(
    '/payloads',
    {
      config: { access },
      schema: {
        summary: 'List payloads',
        querystring: payloadListQuery(config.maxPageSize),
        response: { 200: PayloadList, ...errorResponses },
      },
    },
    async (request) => {
      const start = performance.now();
      const query = request.query;
      const { count, rows } = await listPayloads(db, payloadFiltersOf(query, grantOf(request).orgId), pagingOf(query));
      const data = rows.map((row) => ({ ...withoutNulls(row), id: Number(row.id) }));
      return { count, elapsed: secondsSince(start), data };
    },
  );

  app.get(
    '/payloads/:request_id',
    {
      config: { access },
      schema: {
        summary: "A payload's statuses and the time it spent in each service",
        params: RequestIdParams,
        querystring: payloadDetailQuery,
        response: { 200: PayloadDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { sortBy, sortDir } = pagingOf(request.query);
      return readPayloadDetail(db, requestIdParam(request.params.request_id), {
        sortBy,
        sortDir,
        verbosity: request.query.verbosity ?? 0,
        visibleOrg: grantOf(request).orgId,
      });
    },
  );

  app.get(
    '/statuses',
    {
      config: { access },
      schema: {
        summary: 'List status events',
        querystring: statusListQuery(config.maxPageSize),
        response: { 200: StatusList, ...errorResponses },
      },
    },
    async (request) => {
      const start = performance.now();
      const query = request.query;
      const { count, rows } = await listStatuses(
        db,
        {
          visibleOrg: grantOf(request).orgId,
          requestId: query.request_id === undefined ? undefined : requestIdParam(query.request_id),
          service: nameParam(query.service),
          source: nameParam(query.source),
          status: nameParam(query.status),
          statusMsg: textParam(query.status_msg),
          date: timeRangeParams(query, 'date'),
          createdAt: timeRangeParams(query, 'created_at'),
        },
        pagingOf(query),
      );
      return { count, elapsed: secondsSince(start), data: rows.map((row) => withoutNulls(row)) };
    },
  );

  app.get(
    '/stats',
    {
      config: { access },
      schema: {
        summary: 'Success rate of each service over the last 24 hours',
        querystring: StatsQuery,
        response: { 200: SuccessRate, ...errorResponses },
      },
    },
    async (request) => {
      // The spec marks `stat` optional; SuccessRate is the only one there is.
      const stat = textParam(request.query.stat) ?? 'SuccessRate';
      if (stat !== 'SuccessRate') throw invalid('stat', `must be SuccessRate, not "${stat}"`);
      const visibleOrg = grantOf(request).orgId;
      // From the start of the minute 24 hours ago, so that the window's edge is read from per-minute summaries.
      const since = new Date(Math.floor((now().getTime() - 24 * 3600_000) / 60_000) * 60_000);
      return successRates(await countOutcomesSince(db, since, visibleOrg), since);
    },
  );
};
