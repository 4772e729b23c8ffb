import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError, type ErrorDetail } from '../errors.ts';
import { isKnownTimeZone } from '../shared/time-zone.ts';
import { parseTimestamp } from '../shared/timestamps.ts';
import { REPORT_TYPES, type JobType, type ReportType } from './report-types.ts';
import type { ReportFormat } from './writers.ts';

/** A valid request for a report job, its span resolved to instants. */
export interface JobRequest {
  type: JobType;
  name: string;
  timezone: string;
  format: ReportFormat;
  fromText: string;
  toText: string;
  /** ISO 8601 instants: `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
  /** Only these systems (inventory, system or cluster IDs) and services; empty means all. */
  hosts?: string[];
  services?: string[];
  /** Whom the finished file is mailed to (scheduled runs). */
  sendTo?: string[];
}

const LOCAL = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?$/;

/**
 * A span edge: with an offset it is an instant; without one (`2026-03-29` or
 * `2026-03-29T02:30`) it is a wall-clock time of the report's time zone.
 */
function readEdge(value: string, field: string, fail: (field: string, reason: string) => void) {
  if (value.trim() === '') {
    fail(field, 'is required: a date or date-time, such as 2026-11-01 or 2026-11-01T00:00:00+01:00');
    return undefined;
  }
  const text = value.trim();
  const local = LOCAL.exec(text);
  if (local) {
    const [, day, h = '00', m = '00', s = '00', fraction = ''] = local;
    const wallClock = `${day}T${h}:${m}:${s}${fraction}`;
    if (parseTimestamp(wallClock)) return { text, wallClock };
  } else {
    const instant = parseTimestamp(text);
    if (instant) return { text, instant: instant.iso };
  }
  fail(field, `must be a date or date-time such as 2026-11-01 or 2026-11-01T00:00:00+01:00, not "${text}"`);
  return undefined;
}

type Edge = ReturnType<typeof readEdge>;

/** The span's edges as UTC instants, wall-clock times read in `timezone` by PostgreSQL's zone rules. */
async function resolveSpan(db: Kysely<Schema>, timezone: string, from: Edge, to: Edge) {
  const utc = (value: Edge) =>
    value === undefined
      ? sql`null::text`
      : 'instant' in value
        ? sql`${value.instant}::timestamptz`
        : sql`${value.wallClock}::timestamp at time zone ${timezone}`;
  const { rows } = await sql<{ from: string | null; to: string | null }>`select ${utc(from)} as from, ${utc(to)} as to`.execute(db);
  return rows[0];
}

/** The `{type}` of a report path, one of `known`; another is a 400, as the spec says. */
export function reportTypeParam<T extends string>(type: string, known: readonly T[]): T {
  if (!(known as readonly string[]).includes(type)) {
    throw new AppError('invalid', `unknown report type "${type}"`, [{ field: 'type', reason: `must be one of ${known.join(', ')}` }]);
  }
  return type as T;
}

/** `POST /data/reports/{type}/jobs`'s body, as its schema (JobRequestBody) lets it through. */
export interface JobRequestInput {
  name?: string;
  timezone?: string;
  format: ReportFormat;
  timespan: { from: string; to: string };
}

/**
 * Reads `POST /data/reports/{type}/jobs` and resolves the span in the report's
 * time zone (PostgreSQL's zone rules, the same ones the report is rendered
 * with). Every bad field is named in one error: the schema's `problems`, and
 * what only code can say (dates, the zone, the span).
 */
export async function readJobRequest(
  db: Kysely<Schema>,
  type: string,
  input: JobRequestInput,
  maxSpanDays: number,
  problems: ErrorDetail[] = [],
): Promise<JobRequest> {
  reportTypeParam(type, REPORT_TYPES);
  const fields: ErrorDetail[] = [...problems];
  const refuse = () => {
    const list = fields.map((f) => `${f.field} ${f.reason}`).join('; ');
    return new AppError('invalid', `the report job request is invalid: ${list}`, fields);
  };
  // Not an object at all: there are no fields to read.
  if (problems.some((problem) => problem.field === 'body')) throw refuse();
  const flagged = (field: string) => problems.some((problem) => `${field}.`.startsWith(`${problem.field}.`));
  const fail = (field: string, reason: string) => fields.push({ field, reason });
  const timezone = input.timezone ?? 'UTC';
  const from = flagged('timespan.from') ? undefined : readEdge(input.timespan.from, 'timespan.from', fail);
  const to = flagged('timespan.to') ? undefined : readEdge(input.timespan.to, 'timespan.to', fail);

  let resolved: { from: string | null; to: string | null } | undefined;
  if (!flagged('timezone')) {
    // An unknown zone in the query below would fail it: it is refused first.
    if (!(await isKnownTimeZone(db, timezone))) fail('timezone', `must be an IANA time zone name such as Europe/Rome, not "${timezone}"`);
    else resolved = await resolveSpan(db, timezone, from, to);
  }
  if (resolved?.from && resolved.to) {
    // Both are UTC text of one fixed form, so they compare as their instants do, to the microsecond.
    if (resolved.to <= resolved.from) fail('timespan.to', 'must be after timespan.from');
    else if (Date.parse(resolved.to) - Date.parse(resolved.from) > maxSpanDays * 86_400_000) {
      fail('timespan', `must span at most ${maxSpanDays} days`);
    }
  }
  if (fields.length > 0) throw refuse();
  return {
    type: type as ReportType,
    name: input.name?.trim() ?? `${type} report`,
    timezone,
    format: input.format,
    fromText: from!.text,
    toText: to!.text,
    from: resolved!.from!,
    to: resolved!.to!,
  };
}
