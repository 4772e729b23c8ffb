/**
 * How values come back from the database, the same from pg and from PGlite
 * (left alone, pg makes a timestamptz a Date, losing microseconds, and PGlite
 * makes an int8 a number, losing digits past 2^53):
 *
 * - int8: its exact decimal text (`"9007199254740993"`);
 * - timestamptz: RFC 3339 in UTC with microseconds (`"2026-11-25T10:00:00.123000Z"`),
 *   whatever the session's time zone;
 * - timestamp and date: PostgreSQL's own text.
 */

const OIDS = { int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

/** PostgreSQL's ISO output of a timestamptz: `2026-11-25 10:00:00.1234+00`, an offset of hours, minutes and perhaps seconds. */
const ISO_TIMESTAMPTZ = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/;

export function rfc3339FromPostgres(text: string): string {
  const match = ISO_TIMESTAMPTZ.exec(text);
  if (!match) throw new Error(`a timestamptz came back as "${text}", not in the ISO DateStyle Tracker reads`);
  const [, day, time, fraction = '', sign, hours, minutes = '00', seconds = '00'] = match;
  const micros = fraction.padEnd(6, '0');
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds));
  if (offsetSeconds === 0) return `${day}T${time}.${micros}Z`;
  const utc = new Date(Date.parse(`${day}T${time}Z`) - offsetSeconds * 1000).toISOString();
  return `${utc.slice(0, 19)}.${micros}Z`;
}

const asText = (text: string) => text;

/** Parsers by type OID, for pg's `types` and PGlite's `parsers`. */
export const TYPE_PARSERS: Record<number, (text: string) => unknown> = {
  [OIDS.int8]: asText,
  [OIDS.date]: asText,
  [OIDS.timestamp]: asText,
  [OIDS.timestamptz]: rfc3339FromPostgres,
};
