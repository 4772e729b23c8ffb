/** A list's time range, in the URL: `last` (a quick pick that moves with the clock) or fixed `from` and `to`. */
export interface RangeSearch {
  last?: string;
  from?: string;
  to?: string;
}

export const QUICK_PICKS: { last: string; label: string; ms: number }[] = [
  { last: '15m', label: '15 min', ms: 15 * 60_000 },
  { last: '1h', label: '1 hour', ms: 3_600_000 },
  { last: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { last: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { last: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
];

const instant = (value: unknown) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;

/** The range part of a URL's search, well formed or left out. */
export function readRange(search: Record<string, unknown>): RangeSearch {
  const last = QUICK_PICKS.some((pick) => pick.last === search.last) ? (search.last as string) : undefined;
  return { last, from: last ? undefined : instant(search.from), to: last ? undefined : instant(search.to) };
}

/** The instants a range stands for now; open ends are undefined. */
export function resolveRange(range: RangeSearch, now = Date.now()): { from?: Date; to?: Date } {
  const pick = QUICK_PICKS.find((candidate) => candidate.last === range.last);
  if (pick) return { from: new Date(now - pick.ms), to: undefined };
  return { from: range.from ? new Date(range.from) : undefined, to: range.to ? new Date(range.to) : undefined };
}

/** The API's filters for a range on `field`: `{field}_gte` and `{field}_lt`. */
export function rangeParams(range: RangeSearch, field: string, now = Date.now()): Record<string, string | undefined> {
  const { from, to } = resolveRange(range, now);
  return { [`${field}_gte`]: from?.toISOString(), [`${field}_lt`]: to?.toISOString() };
}

/** The range moved back (-1) or on (+1) by its own length, as fixed instants. */
export function shiftRange(range: RangeSearch, direction: -1 | 1, now = Date.now()): RangeSearch {
  const { from, to = new Date(now) } = resolveRange(range, now);
  if (!from) return range;
  const length = to.getTime() - from.getTime();
  return {
    last: undefined,
    from: new Date(from.getTime() + direction * length).toISOString(),
    to: new Date(to.getTime() + direction * length).toISOString(),
  };
}
