/** How Tracker measures: shares in percent, and time between statuses; the payload tracker and the reports show them alike. */

/** `part` of `whole` in percent, to two decimals; 0 of nothing is 0. */
export const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

/** `HH:MM:SS.ffffff` from a non-negative number of microseconds; hours go past 24 rather than roll into days. */
export function formatDuration(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const pad = (value: bigint, width = 2) => value.toString().padStart(width, '0');
  return `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}.${pad(micros % 1_000_000n, 6)}`;
}

export interface TimedStatus {
  service: string;
  source: string | null;
  /** Microseconds since the epoch: exact as a number until the year 2255, and cheaper per status than a bigint. */
  dateMicros: number;
}

/**
 * Time spent in each service: from its first status to its last, keyed
 * `service:source` (`undefined` when the status names no source, as the
 * platform's tracker did). `total_time_in_services` adds those up;
 * `total_time` runs from the payload's first status to its last.
 */
export function computeDurations(statuses: TimedStatus[]): Record<string, string> {
  const spans = new Map<string, { first: number; last: number }>();
  let first: number | undefined;
  let last: number | undefined;
  for (const status of statuses) {
    const key = `${status.service}:${status.source ?? 'undefined'}`;
    const span = spans.get(key);
    if (span) {
      if (status.dateMicros < span.first) span.first = status.dateMicros;
      if (status.dateMicros > span.last) span.last = status.dateMicros;
    } else {
      spans.set(key, { first: status.dateMicros, last: status.dateMicros });
    }
    if (first === undefined || status.dateMicros < first) first = status.dateMicros;
    if (last === undefined || status.dateMicros > last) last = status.dateMicros;
  }
  const duration: Record<string, string> = {};
  let inServices = 0;
  for (const [key, span] of [...spans].sort(([a], [b]) => a.localeCompare(b))) {
    duration[key] = formatDuration(BigInt(span.last - span.first));
    inServices += span.last - span.first;
  }
  duration.total_time_in_services = formatDuration(BigInt(inServices));
  duration.total_time = formatDuration(BigInt(first === undefined || last === undefined ? 0 : last - first));
  return duration;
}
