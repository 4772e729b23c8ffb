import { latencies, median, percentile } from './http-load.ts';
import { requestIdOf } from './scale-data.ts';

export interface LookupFigure {
  label: string;
  p50: number;
  p99: number;
  targetMs: number;
}

/** The lookups the issue names, as the frontend makes them; `i` varies the request. */
export function lookupPaths(payloads: number, now: Date): { label: string; targetMs: number; path: (i: number) => string }[] {
  const windowStart = new Date(now.getTime() - 4 * 86_400_000);
  const windowEnd = new Date(windowStart.getTime() + 15 * 60_000);
  return [
    { label: 'GET /v1/payloads/{request_id}', targetMs: 5, path: (i) => `/v1/payloads/${requestIdOf(1 + ((i * 7919) % payloads))}` },
    { label: 'GET /v1/payloads (default page, exact count)', targetMs: 50, path: () => '/v1/payloads' },
    { label: 'GET /v1/payloads?account=…', targetMs: 50, path: (i) => `/v1/payloads?account=acct${i % 50}` },
    {
      label: 'GET /v1/payloads, 15-minute created_at window',
      targetMs: 50,
      path: (i) =>
        `/v1/payloads?created_at_gte=${new Date(windowStart.getTime() + i * 60_000).toISOString()}&created_at_lt=${new Date(windowEnd.getTime() + i * 60_000).toISOString()}`,
    },
    {
      label: 'GET /v1/statuses?service=…&status=error',
      targetMs: 50,
      path: (i) => `/v1/statuses?service=${['puptoo', 'inventory', 'advisor'][i % 3]}&status=error`,
    },
    { label: 'GET /v1/stats?stat=SuccessRate', targetMs: 100, path: () => '/v1/stats?stat=SuccessRate' },
    // What the console adds: its Stuck page (and badge), its Success rate charts, the Payloads page's counts.
    { label: 'GET /v1/stuck-payloads (exact count, per service)', targetMs: 50, path: () => '/v1/stuck-payloads' },
    { label: 'GET /v1/payloads?last_status=success (exact count)', targetMs: 200, path: () => '/v1/payloads?last_status=success' },
    { label: 'GET /v1/stats/success-series (24 hours)', targetMs: 100, path: () => '/v1/stats/success-series' },
    { label: 'GET /v1/stats/service-times (24 hours)', targetMs: 200, path: () => '/v1/stats/service-times' },
  ];
}

/** p50 and p99 of each lookup, one request at a time, `requests` per round; the median of the rounds. */
export async function benchLookups(
  url: string,
  payloads: number,
  now: Date,
  options: { requests: number; rounds: number },
): Promise<LookupFigure[]> {
  const figures: LookupFigure[] = [];
  for (const lookup of lookupPaths(payloads, now)) {
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const times = await latencies(
        url,
        Array.from({ length: options.requests }, (_, i) => lookup.path(round * options.requests + i)),
      );
      p50s.push(percentile(times, 50));
      p99s.push(percentile(times, 99));
    }
    figures.push({ label: lookup.label, p50: median(p50s), p99: median(p99s), targetMs: lookup.targetMs });
  }
  return figures;
}
