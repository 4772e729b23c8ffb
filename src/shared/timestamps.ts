/**
 * Timestamps as producers send them: RFC 3339 with or without fractions, a
 * space instead of `T`, and a missing offset taken as UTC. Fractions beyond
 * microseconds are cut (not rounded), so an instant never moves to another day.
 * A query string that carried `+01:00` unencoded arrives as ` 01:00`, so a
 * space before the offset is read as `+`.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?$/;

export interface ParsedTimestamp {
  /** ISO 8601 text PostgreSQL reads exactly: `2026-11-25T14:36:20.123456+00:00`. */
  iso: string;
  /** The UTC day it falls on, `YYYY-MM-DD`: the partition that stores it. */
  utcDay: string;
  /** Milliseconds since the epoch, the microseconds cut. */
  epochMs: number;
}

const MAX_DAY = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseTimestamp(value: string): ParsedTimestamp | undefined {
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, offH = '00', offM = '00'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 && !leap ? 28 : MAX_DAY[month - 1];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  // PostgreSQL stores offsets up to ±15:59; real zones span −12:00 to +14:00.
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(offH) > 15 || Number(offM) > 59) return undefined;

  const offsetSign = zulu || !sign ? '+' : sign === '-' ? '-' : '+';
  const offsetMinutes = (offsetSign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  let localMs = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  if (year < 100) localMs = new Date(localMs).setUTCFullYear(year);
  const epochMs = localMs - offsetMinutes * 60_000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  return {
    iso: `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(6, '0').slice(0, 6)}${offsetSign}${offH}:${offM}`,
    // Most producers send UTC: then the day is the one written.
    utcDay: offsetMinutes === 0 ? `${y}-${mo}-${d}` : new Date(epochMs).toISOString().slice(0, 10),
    epochMs,
  };
}

/**
 * An instant as read from the database (RFC 3339 UTC with microseconds) with
 * nanoseconds, as Go clients print times and the Go services' APIs answer:
 * PostgreSQL keeps microseconds, so the last three digits are 0.
 */
export function withNanos(rfc3339: string): string {
  return rfc3339.replace(/Z$/, '000Z');
}

/** An instant as read from the database (RFC 3339 UTC with microseconds) as microseconds since the epoch, exactly. */
export function epochMicros(rfc3339: string): number {
  const micros = /\.(\d{6})Z$/.exec(rfc3339)?.[1] ?? '000000';
  return Date.parse(rfc3339.replace(/\.\d+Z$/, 'Z')) * 1000 + Number(micros);
}
