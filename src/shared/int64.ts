import { Type } from 'typebox';
import { invalid } from '../errors.ts';

const INT64_MAX = 9_223_372_036_854_775_807n;

/**
 * A schema for an int64 ID in a JSON body. A JSON integer past 2^53 reaches
 * validation as its exact digits (see `parseJson`), so the schema takes an
 * integer or a string of digits, and `readInt64` makes either an exact decimal.
 * Two types, so that ajv coerces neither to a rounded number.
 */
export const Int64Id = (description: string) =>
  Type.Unsafe<number | string>({
    type: ['integer', 'string'],
    format: 'int64',
    pattern: '^[0-9]+$',
    maxLength: 40,
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description,
  });

/** An ID `Int64Id` let through as an exact decimal string, or a 400 naming `field` when it is past int64. */
export function readInt64(value: number | string, field: string): string {
  const text = String(value);
  if (BigInt(text) > INT64_MAX) throw invalid(field, `must be at most ${INT64_MAX}, not ${text}`);
  return text;
}

/** An int64 ID in a path or query: digits only, at most int64's maximum; else a 400 naming `field`. */
export function int64Param(value: string, field: string): string {
  if (!/^[0-9]{1,19}$/.test(value)) throw invalid(field, `must be a whole number, not "${value}"`);
  return readInt64(value, field);
}
