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
