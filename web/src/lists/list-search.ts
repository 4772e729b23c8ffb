/** What a list page may be sorted and filtered by, and its default order. */
export interface ListSpec<Sort extends string, Filter extends string> {
  sorts: readonly Sort[];
  defaultSort: Sort;
  filters: readonly Filter[];
}

/** A list page's state, all of it in the URL: shareable, and back and forward work. */
export type ListSearch<Sort extends string, Filter extends string> = {
  page: number;
  page_size: number;
  sort_by: Sort;
  sort_dir: 'asc' | 'desc';
} & Partial<Record<Filter, string>>;

export const PAGE_SIZES = [10, 20, 50, 100];

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** A route's `validateSearch`: keeps what is well formed, leaves out the rest (so a link need name nothing). */
export function searchReader<Sort extends string, Filter extends string>(spec: ListSpec<Sort, Filter>) {
  return (search: Record<string, unknown>): Partial<ListSearch<Sort, Filter>> => {
    const page = Number(search.page);
    const pageSize = Number(search.page_size);
    const read: Record<string, unknown> = {
      page: Number.isInteger(page) && page >= 0 ? page : undefined,
      page_size: PAGE_SIZES.includes(pageSize) ? pageSize : undefined,
      sort_by: (spec.sorts as readonly unknown[]).includes(search.sort_by) ? search.sort_by : undefined,
      sort_dir: search.sort_dir === 'asc' || search.sort_dir === 'desc' ? search.sort_dir : undefined,
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
  return { page: 0, page_size: 20, sort_by: spec.defaultSort, sort_dir: 'desc', ...given } as ListSearch<Sort, Filter>;
}
