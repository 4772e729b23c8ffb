import { sql, type RawBuilder } from 'kysely';

/** Bounds on a timestamp column, each an ISO 8601 instant. */
export interface TimeRange {
  lt?: string;
  lte?: string;
  gt?: string;
  gte?: string;
}

export type Condition = RawBuilder<boolean>;

export function timeConditions(column: string, range: TimeRange): Condition[] {
  const bounds = [
    ['<', range.lt],
    ['<=', range.lte],
    ['>', range.gt],
    ['>=', range.gte],
  ] as const;
  return bounds
    .filter(([, value]) => value !== undefined)
    .map(([operator, value]) => sql<boolean>`${sql.ref(column)} ${sql.raw(operator)} ${value}::timestamptz`);
}

export function equals(column: string, value: string | undefined): Condition[] {
  return value === undefined ? [] : [sql<boolean>`${sql.ref(column)} = ${value}`];
}

export function allOf(conditions: Condition[]): Condition {
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(conditions, sql` and `)}`;
}

export function isBounded(range: TimeRange): boolean {
  return Object.values(range).some((value) => value !== undefined);
}
