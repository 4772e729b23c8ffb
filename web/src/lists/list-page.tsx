import {
  Alert,
  Content,
  EmptyState,
  EmptyStateBody,
  PageSection,
  Pagination,
  SearchInput,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { api, queryString } from '../api.ts';
import { canReadPayloads, useSession } from '../session.ts';
import { PAGE_SIZES, type ListSearch } from './list-search.ts';

export interface Column<Row, Sort extends string> {
  title: string;
  /** The API's sort_by for this column, when it sorts. */
  sort?: Sort;
  cell: (row: Row) => ReactNode;
  nowrap?: boolean;
}

interface ListPageProps<Row extends { id: number }, Sort extends string, Filter extends string> {
  title: string;
  /** What the rows are called: "payloads", "statuses"; one of them: "payload". */
  noun: string;
  one: string;
  endpoint: string;
  columns: Column<Row, Sort>[];
  filters: { key: Filter; label: string }[];
  search: ListSearch<Sort, Filter>;
  onChange: (changes: Partial<ListSearch<Sort, Filter>>) => void;
}

/** A filter box: what is typed applies on Enter; clearing it drops the filter. */
function FilterInput({ label, value, onApply }: { label: string; value?: string; onApply: (value?: string) => void }) {
  const [draft, setDraft] = useState(value ?? '');
  return (
    <SearchInput
      aria-label={label}
      placeholder={label}
      value={draft}
      onChange={(_event, text) => setDraft(text)}
      onSearch={(_event, text) => onApply(text.trim() || undefined)}
      onClear={() => {
        setDraft('');
        onApply(undefined);
      }}
    />
  );
}

/**
 * A page over one of the payload tracker's lists: its filters, sort and page
 * from the URL, the exact total, and what happened when there is nothing to show.
 */
export function ListPage<Row extends { id: number }, Sort extends string, Filter extends string>(props: ListPageProps<Row, Sort, Filter>) {
  const { title, noun, one, endpoint, columns, filters, search, onChange } = props;
  const session = useSession();
  const allowed = session.data ? canReadPayloads(session.data) : false;
  const list = useQuery({
    queryKey: [endpoint, search],
    queryFn: () => api<{ count: number; data: Row[] }>(`${endpoint}${queryString(search as Record<string, string | number | undefined>)}`),
    placeholderData: keepPreviousData,
    enabled: allowed,
  });
  // Any change but a page turn starts again from the first page. (The casts below: TypeScript cannot
  // see that a literal object fits a generic intersection type.)
  const change = (changes: Partial<ListSearch<Sort, Filter>>) => onChange({ page: 0, ...changes });
  const sortedIndex = columns.findIndex((column) => column.sort === search.sort_by);
  const sortParams = (column: Column<Row, Sort>, index: number): ThProps['sort'] | undefined =>
    column.sort && {
      sortBy: { index: sortedIndex, direction: search.sort_dir },
      onSort: (_event, _index, direction) => change({ sort_by: column.sort, sort_dir: direction } as Partial<ListSearch<Sort, Filter>>),
      columnIndex: index,
    };

  if (session.data && !allowed) {
    return (
      <PageSection>
        <Content component="h1">{title}</Content>
        <Alert variant="warning" isInline title={`Reading ${noun} needs a token with payloads:read, or the platform's identity`}>
          <Link to="/sign-in">Sign in with another token</Link>
        </Alert>
      </PageSection>
    );
  }
  return (
    <PageSection>
      <Content component="h1">{title}</Content>
      <Toolbar>
        <ToolbarContent>
          {filters.map((filter) => (
            <ToolbarItem key={filter.key}>
              <FilterInput
                // A new value in the URL (back, a shared link) starts the box afresh.
                key={`${filter.key}=${search[filter.key] ?? ''}`}
                label={filter.label}
                value={search[filter.key]}
                onApply={(value) => change({ [filter.key]: value } as Partial<ListSearch<Sort, Filter>>)}
              />
            </ToolbarItem>
          ))}
          <ToolbarItem variant="pagination">
            <Pagination
              itemCount={list.data?.count ?? 0}
              page={search.page + 1}
              perPage={search.page_size}
              perPageOptions={PAGE_SIZES.map((size) => ({ title: String(size), value: size }))}
              onSetPage={(_event, page) => onChange({ page: page - 1 } as Partial<ListSearch<Sort, Filter>>)}
              onPerPageSelect={(_event, size) => change({ page_size: size } as Partial<ListSearch<Sort, Filter>>)}
              isCompact
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {list.isError && <Alert variant="danger" isInline title={`The ${noun} could not be read: ${list.error.message}`} />}
      {list.data && list.data.count === 0 ? (
        <EmptyState titleText={`No ${noun} match`} headingLevel="h2">
          <EmptyStateBody>Nothing was stored with these filters. Clear a filter to see more.</EmptyStateBody>
        </EmptyState>
      ) : (
        <Table aria-label={title} variant="compact">
          <Thead>
            <Tr>
              {columns.map((column, index) => (
                <Th key={column.title} sort={sortParams(column, index)} modifier="nowrap">
                  {column.title}
                </Th>
              ))}
            </Tr>
          </Thead>
          <Tbody>
            {list.data?.data.map((row) => (
              <Tr key={row.id}>
                {columns.map((column) => (
                  <Td key={column.title} dataLabel={column.title} modifier={column.nowrap ? 'nowrap' : undefined}>
                    {column.cell(row)}
                  </Td>
                ))}
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {list.data && (
        <Content component="small" data-testid="total">
          {list.data.count.toLocaleString()} {list.data.count === 1 ? one : noun}
        </Content>
      )}
    </PageSection>
  );
}
