import type { PayloadStatus } from './use-live-payload.ts';

/** One row of the timeline: a `service:source` from its first status to its last. */
export interface Lane {
  key: string;
  service: string;
  source?: string;
  first: number;
  last: number;
  lastStatus: string;
  statuses: PayloadStatus[];
  /** Time since the lanes before it had all gone quiet, when it started later than that. */
  waitedMs: number;
}

/** The lanes of a payload's statuses, in the order the services first saw it. */
export function lanesOf(statuses: PayloadStatus[]): Lane[] {
  const byKey = new Map<string, Lane>();
  const sorted = [...statuses].sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id);
  for (const status of sorted) {
    const key = `${status.service}:${status.source ?? 'undefined'}`;
    const at = Date.parse(status.date);
    const lane = byKey.get(key);
    if (lane) {
      lane.last = at;
      lane.lastStatus = status.status;
      lane.statuses.push(status);
    } else {
      byKey.set(key, {
        key,
        service: status.service,
        source: status.source,
        first: at,
        last: at,
        lastStatus: status.status,
        statuses: [status],
        waitedMs: 0,
      });
    }
  }
  const lanes = [...byKey.values()];
  let quietFrom = lanes[0]?.first ?? 0;
  for (const lane of lanes) {
    lane.waitedMs = Math.max(0, lane.first - quietFrom);
    quietFrom = Math.max(quietFrom, lane.last);
  }
  return lanes;
}
