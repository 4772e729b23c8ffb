import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { allOf, equals } from '../shared/conditions.ts';
import { percent } from '../shared/measures.ts';

/*
 * The charts of the console's Success rate page: success and error statuses
 * per service over time, and how long payloads spend in each service.
 */

const MINUTE = 60;
const HOUR = 3600;

/**
 * Bucket sizes by the length of the range, for about 24 to 60 points. Up to two
 * hours the statuses themselves are counted, by the minute; longer ranges are
 * counted from the hourly summaries (migration 0005), in whole hours.
 */
const BUCKETS: { upTo: number; seconds: number }[] = [
  { upTo: HOUR, seconds: MINUTE },
  { upTo: 2 * HOUR, seconds: 5 * MINUTE },
  { upTo: 48 * HOUR, seconds: HOUR },
  { upTo: 7 * 24 * HOUR, seconds: 3 * HOUR },
  { upTo: 31 * 24 * HOUR, seconds: 12 * HOUR },
  { upTo: Infinity, seconds: 24 * HOUR },
];

export interface SeriesWindow {
  /** The range widened to whole buckets (aligned to the UNIX epoch, so in UTC). */
  from: Date;
  to: Date;
  bucketSeconds: number;
  fromSummaries: boolean;
}

export function seriesWindow(from: Date, to: Date): SeriesWindow {
  const span = (to.getTime() - from.getTime()) / 1000;
  const bucketSeconds = BUCKETS.find((bucket) => span <= bucket.upTo)!.seconds;
  const step = bucketSeconds * 1000;
  return {
    from: new Date(Math.floor(from.getTime() / step) * step),
    to: new Date(Math.ceil(to.getTime() / step) * step),
    bucketSeconds,
    fromSummaries: bucketSeconds >= HOUR,
  };
}

export interface SeriesPoint {
  at: string;
  success: number;
  error: number;
  success_percent: number;
}

/**
 * Per service, its success and error statuses in each bucket of the window
 * that has any. A reader limited to one org is counted from the statuses: the
 * summaries do not hold the org.
 */
export async function successSeries(
  db: Kysely<Schema>,
  window: SeriesWindow,
  filters: { service?: string; visibleOrg?: string },
): Promise<{ service: string; points: SeriesPoint[] }[]> {
  const bucket = sql`${`${window.bucketSeconds} seconds`}::interval`;
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const query =
    window.fromSummaries && filters.visibleOrg === undefined
      ? sql<{ at: string; service: string; success: string; error: string }>`
        select date_bin(${bucket}, hour, 'epoch'::timestamptz) as at, service,
          coalesce(sum(n) filter (where status = 'success'), 0) as success, coalesce(sum(n) filter (where status = 'error'), 0) as error
        from status_counts
        where ${allOf([sql`status in ('success', 'error')`, sql`hour >= ${from}::timestamptz`, sql`hour < ${to}::timestamptz`, ...equals('service', filters.service)])}
        group by 1, 2 having sum(n) <> 0 order by 2, 1`
      : sql<{ at: string; service: string; success: string; error: string }>`
        select date_bin(${bucket}, s.date, 'epoch'::timestamptz) as at, s.service,
          count(*) filter (where s.status = 'success') as success, count(*) filter (where s.status = 'error') as error
        from payload_statuses s
        where ${allOf([
          sql`s.status in ('success', 'error')`,
          sql`s.date >= ${from}::timestamptz`,
          sql`s.date < ${to}::timestamptz`,
          ...equals('s.service', filters.service),
          ...(filters.visibleOrg === undefined
            ? []
            : [sql<boolean>`s.payload_id in (select id from payloads where org_id = ${filters.visibleOrg})`]),
        ])}
        group by 1, 2 order by 2, 1`;
  const { rows } = await query.execute(db);
  const byService = new Map<string, SeriesPoint[]>();
  for (const row of rows) {
    const success = Number(row.success);
    const error = Number(row.error);
    const points = byService.get(row.service) ?? [];
    points.push({ at: row.at, success, error, success_percent: percent(success, success + error) });
    byService.set(row.service, points);
  }
  return [...byService].map(([service, points]) => ({ service, points }));
}

/** Payloads whose time in services is measured, newest first: enough for steady percentiles, few enough to stay fast. */
export const SERVICE_TIME_SAMPLE = 5000;

/** Seconds to the microsecond, as statuses are dated: interpolation leaves float noise below it. */
const toMicros = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

export interface ServiceTime {
  service: string;
  payloads: number;
  p50_seconds: number;
  p95_seconds: number;
}

/**
 * Per service, the median and 95th percentile of the time a payload spent in
 * it (its first status there to its last), over the newest payloads created
 * in [from, to). A payload's `created_at` is its earliest status date, so only
 * the partitions from the sample's oldest `created_at` on are read: for the
 * newest payloads, the last day's, not every day's since `from`.
 */
export async function serviceTimes(
  db: Kysely<Schema>,
  range: { from: string; to: string },
  filters: { service?: string; visibleOrg?: string },
): Promise<{ sampled: number; data: ServiceTime[] }> {
  const { rows } = await sql<{ service: string; payloads: string; p50: number; p95: number; sampled: string }>`
    with sample as (
      select id, created_at from payloads
      where ${allOf([sql`created_at >= ${range.from}::timestamptz`, sql`created_at < ${range.to}::timestamptz`, ...equals('org_id', filters.visibleOrg)])}
      order by created_at desc, id desc limit ${SERVICE_TIME_SAMPLE}
    ),
    -- Grouped per payload (a few rows each) rather than by payload and service
    -- over the whole sample: a quarter less time at 5,000 payloads.
    spans as (
      select span.service, span.seconds from sample cross join lateral (
        select s.service, extract(epoch from max(s.date) - min(s.date))::float8 as seconds
        from payload_statuses s
        where ${allOf([sql`s.payload_id = sample.id`, sql`s.date >= (select min(created_at) from sample)`, ...equals('s.service', filters.service)])}
        group by s.service) span
    )
    select service, count(*) as payloads,
      percentile_cont(0.5) within group (order by seconds) as p50,
      percentile_cont(0.95) within group (order by seconds) as p95,
      (select count(*) from sample) as sampled
    from spans group by service order by service`.execute(db);
  return {
    sampled: rows.length === 0 ? 0 : Number(rows[0].sampled),
    data: rows.map((row) => ({
      service: row.service,
      payloads: Number(row.payloads),
      p50_seconds: toMicros(row.p50),
      p95_seconds: toMicros(row.p95),
    })),
  };
}
