import { sql, type RawBuilder } from 'kysely';

/** A timestamptz column as RFC 3339 text in UTC with microseconds: no precision lost to JavaScript's Date. */
export function rfc3339(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The same with nanoseconds, as Go clients print times (PostgreSQL keeps microseconds, so the last three digits are 0). */
export function rfc3339Nanos(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"000Z"')`;
}

/** A timestamptz column as microseconds since the epoch, exactly. */
export function epochMicros(column: string): RawBuilder<string> {
  return sql<string>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint`;
}

/** Drops the keys whose value is null: absent optional fields are left out of answers, never null. */
export function withoutNulls<T extends object>(row: T): WithoutNulls<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== null && value !== undefined) result[key] = value;
  return result as WithoutNulls<T>;
}

/** A row whose nullable fields became optional ones. */
export type WithoutNulls<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null>;
};
