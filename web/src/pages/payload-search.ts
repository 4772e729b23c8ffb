/** The payload list's state, all of it in the URL: shareable, and back and forward work. */
export interface PayloadSearch {
  page: number;
  page_size: number;
  sort_by: 'created_at' | 'request_id' | 'account' | 'org_id' | 'inventory_id' | 'system_id';
  sort_dir: 'asc' | 'desc';
  account?: string;
  org_id?: string;
  inventory_id?: string;
  system_id?: string;
}

const SORTS = ['created_at', 'request_id', 'account', 'org_id', 'inventory_id', 'system_id'] as const;
const PAGE_SIZES = [10, 20, 50, 100];

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

const DEFAULTS: Pick<PayloadSearch, 'page' | 'page_size' | 'sort_by' | 'sort_dir'> = {
  page: 0,
  page_size: 20,
  sort_by: 'created_at',
  sort_dir: 'desc',
};

/** Reads the search params, leaving out anything missing or malformed (a link need name none). */
export function payloadSearch(search: Record<string, unknown>): Partial<PayloadSearch> {
  const page = Number(search.page);
  const pageSize = Number(search.page_size);
  return {
    page: Number.isInteger(page) && page >= 0 ? page : undefined,
    page_size: PAGE_SIZES.includes(pageSize) ? pageSize : undefined,
    sort_by: (SORTS as readonly unknown[]).includes(search.sort_by) ? (search.sort_by as PayloadSearch['sort_by']) : undefined,
    sort_dir: search.sort_dir === 'asc' || search.sort_dir === 'desc' ? search.sort_dir : undefined,
    account: text(search.account),
    org_id: text(search.org_id),
    inventory_id: text(search.inventory_id),
    system_id: text(search.system_id),
  };
}

/** The list's state with the defaults of what the URL leaves out. */
export function withDefaults(search: Partial<PayloadSearch>): PayloadSearch {
  const given = Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined));
  return { ...DEFAULTS, ...given };
}

export { PAGE_SIZES };
