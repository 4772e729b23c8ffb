import { api, queryString } from '../api.ts';
import { rangeParams, readRange, type RangeSearch } from './time-range.ts';

/** What a list page may be sorted and filtered by, and its default order. */
export interface ListSpec<Sort extends string, Filter extends string> {
  /** The API's list. */
  endpoint: string;
  /** The field the time range filters on. */
  timeField: string;
  sorts: readonly Sort[];
  defaultSort: Sort;
  defaultDir?: 'asc' | 'desc';
  filters: readonly Filter[];
}

/** A list page's state, all of it in the URL: shareable, and back and forward work. */
export type ListSearch<Sort extends string, Filter extends string> = {
  page: number;
  page_size: number;
  sort_by: Sort;
  sort_dir: 'asc' | 'desc';
  /** Auto-refresh every so many seconds. */
  refresh?: number;
} & RangeSearch &
  Partial<Record<Filter, string>>;

export const PAGE_SIZES = [10, 20, 50, 100];
export const REFRESH_SECONDS = [5, 30] as const;

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** A route's `validateSearch`: keeps what is well formed, leaves out the rest (so a link need name nothing). */
export function searchReader<Sort extends string, Filter extends string>(spec: ListSpec<Sort, Filter>) {
  return (search: Record<string, unknown>): Partial<ListSearch<Sort, Filter>> => {
    const page = Number(search.page);
    const pageSize = Number(search.page_size);
    const refresh = Number(search.refresh);
    const read: Record<string, unknown> = {
      page: Number.isInteger(page) && page >= 0 ? page : undefined,
      page_size: PAGE_SIZES.includes(pageSize) ? pageSize : undefined,
      sort_by: (spec.sorts as readonly unknown[]).includes(search.sort_by) ? search.sort_by : undefined,
      sort_dir: search.sort_dir === 'asc' || search.sort_dir === 'desc' ? search.sort_dir : undefined,
      refresh: (REFRESH_SECONDS as readonly number[]).includes(refresh) ? refresh : undefined,
      ...readRange(search),
    };
    for (const filter of spec.filters) read[filter] = text(search[filter]);
    return read as Partial<ListSearch<Sort, Filter>>;
  };
}

/** The list's state with the defaults of what the URL leaves out. */
export function withDefaults<Sort extends string, Filter extends string>(
  spec: ListSpec<Sort, Filter>,
  search: Partial<ListSearch<Sort, Filter>>,
): ListSearch<Sort, Filter> {
  const given = Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined));
  return { page: 0, page_size: 20, sort_by: spec.defaultSort, sort_dir: spec.defaultDir ?? 'desc', ...given } as ListSearch<Sort, Filter>;
}

/** The API's query parameters for a list's state: its filters, sort, page, and its range on `timeField`. */
export function apiParams<Sort extends string, Filter extends string>(
  search: ListSearch<Sort, Filter>,
  timeField?: string,
): Record<string, string | number | undefined> {
  const { last: _last, from: _from, to: _to, refresh: _refresh, ...rest } = search;
  return { ...rest, ...(timeField ? rangeParams(search, timeField) : {}) };
}

/**
 * A list's query, for the page and for its route's loader, which asks for the
 * rows while the page's code is still loading. The range is resolved when the
 * request is made, so "the last hour" moves on with each refresh.
 */
export function listQuery<Sort extends string, Filter extends string, Row>(spec: ListSpec<Sort, Filter>, search: ListSearch<Sort, Filter>) {
  return {
    queryKey: [spec.endpoint, search],
    // Rows the route's loader has just fetched are not asked for again when the page mounts.
    staleTime: 2000,
    queryFn: () => api<ListAnswer<Row>>(`${spec.endpoint}${queryString(apiParams(search, spec.timeField))}`),
  };
}

/** A list's answer: the page of rows and the exact count, and what else the endpoint says. */
export type ListAnswer<Row> = { count: number; data: Row[] } & Record<string, unknown>;
