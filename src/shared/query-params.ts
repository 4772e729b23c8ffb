import { invalid } from '../errors.ts';
import { canonicalRequestId, canonicalUuid, REQUEST_ID_RULE } from '../shared/request-id.ts';
import { parseTimestamp } from '../shared/timestamps.ts';
import type { TimeRange } from './conditions.ts';

/** An empty parameter (`?account=`) counts as not given, as the frontend sends unset filters that way. */
export function textParam(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Service, source and status are stored lower-case, so their filters are too. */
export function nameParam(value: string | undefined): string | undefined {
  return textParam(value)?.toLowerCase();
}

export function uuidParam(name: string, value: string | undefined): string | undefined {
  const text = textParam(value);
  if (text === undefined) return undefined;
  const uuid = canonicalUuid(text);
  if (!uuid) throw invalid(name, `must be a UUID, not "${text}"`);
  return uuid;
}

export function timestampParam(name: string, value: string | undefined): string | undefined {
  const text = textParam(value);
  if (text === undefined) return undefined;
  const parsed = parseTimestamp(text);
  if (!parsed) throw invalid(name, `must be an RFC 3339 date-time such as 2026-11-25T14:36:20Z, not "${text}"`);
  return parsed.iso;
}

/** The `{prefix}_lt`, `_lte`, `_gt` and `_gte` parameters of a query. */
export function timeRangeParams(query: Record<string, unknown>, prefix: string): TimeRange {
  const read = (suffix: string) => timestampParam(`${prefix}_${suffix}`, query[`${prefix}_${suffix}`] as string | undefined);
  return { lt: read('lt'), lte: read('lte'), gt: read('gt'), gte: read('gte') };
}

export function requestIdParam(value: string): string {
  const requestId = canonicalRequestId(value);
  if (!requestId) throw invalid('request_id', `must be ${REQUEST_ID_RULE}, not "${value}"`);
  return requestId;
}
