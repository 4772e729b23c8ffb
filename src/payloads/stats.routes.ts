import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { grantOf } from '../auth/route-access.ts';
import { invalid } from '../errors.ts';
import { nameParam, timestampParam } from '../shared/query-params.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { errorResponses } from './payloads.schemas.ts';
import { serviceTimes, SERVICE_TIME_SAMPLE, seriesWindow, successSeries } from './service-stats.ts';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;
/** Bounds that keep a range, widened to whole buckets, within what PostgreSQL and ISO 8601 write alike. */
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9998-12-31T00:00:00Z');

const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'RFC 3339 date-time; 24 hours before `to` by default' })),
  to: Type.Optional(Type.String({ description: 'RFC 3339 date-time; now by default' })),
  service: Type.Optional(Type.String({ description: 'filter for service' })),
});

/** The range asked for: `to` after `from`, at most 366 days. */
function rangeOf(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const toText = timestampParam('to', query.to);
  const to = toText === undefined ? now : new Date(toText);
  const fromText = timestampParam('from', query.from);
  const from = fromText === undefined ? new Date(to.getTime() - DAY_MS) : new Date(fromText);
  if (from >= to) throw invalid('from', 'must be before to');
  if (from < EARLIEST || to > LATEST) throw invalid(from < EARLIEST ? 'from' : 'to', 'must be between 1970 and 9998');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw invalid('from', `must be at most ${MAX_RANGE_DAYS} days before to`);
  return { from, to };
}

const SuccessSeries = Type.Object({
  from: Type.String({ format: 'date-time', description: 'The start of the first bucket: `from` rounded down to a bucket' }),
  to: Type.String({ format: 'date-time', description: 'The end of the last bucket' }),
  bucket_seconds: Type.Integer({
    description: '60 up to an hour, 300 up to 2 hours, then 3600, 10800, 43200 and 86400 as the range grows',
  }),
  data: Type.Array(
    Type.Object({
      service: Type.String(),
      points: Type.Array(
        Type.Object({
          at: Type.String({ format: 'date-time', description: 'The start of the bucket' }),
          success: Type.Integer(),
          error: Type.Integer(),
          success_percent: Type.Number(),
        }),
        { description: 'The buckets with a success or error status, oldest first' },
      ),
    }),
  ),
});

const ServiceTimes = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  sampled_payloads: Type.Integer({ description: `The payloads measured: the newest created in the range, at most ${SERVICE_TIME_SAMPLE}` }),
  data: Type.Array(
    Type.Object({
      service: Type.String(),
      payloads: Type.Integer({ description: 'Measured payloads that passed through the service' }),
      p50_seconds: Type.Number({ description: 'Median time from the first status in the service to the last' }),
      p95_seconds: Type.Number(),
    }),
  ),
});

export const statsRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, { db, now }) => {
  const access = { payloadReader: true } as const;

  app.get(
    '/stats/success-series',
    {
      config: { access },
      schema: {
        summary: 'Success and error statuses per service over time',
        description: 'Bucketed by the length of the range; each point carries its success share in percent, to two decimals.',
        querystring: RangeQuery,
        response: { 200: SuccessSeries, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to } = rangeOf(request.query, now());
      const window = seriesWindow(from, to);
      const data = await successSeries(db, window, { service: nameParam(request.query.service), visibleOrg: grantOf(request).orgId });
      return { from: window.from.toISOString(), to: window.to.toISOString(), bucket_seconds: window.bucketSeconds, data };
    },
  );

  app.get(
    '/stats/service-times',
    {
      config: { access },
      schema: {
        summary: 'Time payloads spend in each service: median and 95th percentile',
        description: `Measured over the newest payloads created in the range (at most ${SERVICE_TIME_SAMPLE}).`,
        querystring: RangeQuery,
        response: { 200: ServiceTimes, ...errorResponses },
      },
    },
    async (request) => {
      const range = rangeOf(request.query, now());
      const iso = { from: range.from.toISOString(), to: range.to.toISOString() };
      const { sampled, data } = await serviceTimes(db, iso, {
        service: nameParam(request.query.service),
        visibleOrg: grantOf(request).orgId,
      });
      return { ...iso, sampled_payloads: sampled, data };
    },
  );
};
