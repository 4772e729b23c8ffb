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
import { useState } from 'react';
import { api, queryString } from '../api.ts';
import { payloadsRoute } from '../router.tsx';
import { canReadPayloads, useSession } from '../session.ts';
import { PAGE_SIZES, withDefaults, type PayloadSearch } from './payload-search.ts';

interface PayloadRow {
  id: number;
  request_id: string;
  account?: string;
  org_id?: string;
  inventory_id?: string;
  system_id?: string;
  created_at: string;
}

const COLUMNS: { key: PayloadSearch['sort_by']; title: string }[] = [
  { key: 'request_id', title: 'Request ID' },
  { key: 'account', title: 'Account' },
  { key: 'org_id', title: 'Org ID' },
  { key: 'inventory_id', title: 'Inventory ID' },
  { key: 'system_id', title: 'System ID' },
  { key: 'created_at', title: 'Created' },
];

const FILTERS: { key: 'account' | 'org_id' | 'inventory_id' | 'system_id'; label: string }[] = [
  { key: 'account', label: 'Account' },
  { key: 'org_id', label: 'Org ID' },
  { key: 'inventory_id', label: 'Inventory ID' },
  { key: 'system_id', label: 'System ID' },
];

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

/** Payloads: every filter of `GET /v1/payloads`, sorting and paging, all kept in the URL. */
export default function Payloads() {
  const search = withDefaults(payloadsRoute.useSearch());
  const navigate = payloadsRoute.useNavigate();
  const session = useSession();
  const allowed = session.data ? canReadPayloads(session.data) : false;
  const list = useQuery({
    queryKey: ['payloads', search],
    queryFn: () => api<{ count: number; data: PayloadRow[] }>(`/v1/payloads${queryString({ ...search })}`),
    placeholderData: keepPreviousData,
    enabled: allowed,
  });
  const change = (changes: Partial<PayloadSearch>) => void navigate({ search: (previous) => ({ ...previous, page: 0, ...changes }) });

  const sortParams = (index: number): ThProps['sort'] => ({
    sortBy: { index: COLUMNS.findIndex((column) => column.key === search.sort_by), direction: search.sort_dir },
    onSort: (_event, _index, direction) => change({ sort_by: COLUMNS[index].key, sort_dir: direction }),
    columnIndex: index,
  });

  return (
    <PageSection>
      <Content component="h1">Payloads</Content>
      {session.data && !allowed ? (
        <Alert variant="warning" isInline title="Reading payloads needs a token with payloads:read, or the platform's identity">
          <Link to="/sign-in">Sign in with another token</Link>
        </Alert>
      ) : (
        <>
          <Toolbar>
            <ToolbarContent>
              {FILTERS.map((filter) => (
                <ToolbarItem key={filter.key}>
                  <FilterInput
                    // A new value in the URL (back, a shared link) starts the box afresh.
                    key={`${filter.key}=${search[filter.key] ?? ''}`}
                    label={filter.label}
                    value={search[filter.key]}
                    onApply={(value) => change({ [filter.key]: value })}
                  />
                </ToolbarItem>
              ))}
              <ToolbarItem variant="pagination">
                <Pagination
                  itemCount={list.data?.count ?? 0}
                  page={search.page + 1}
                  perPage={search.page_size}
                  perPageOptions={PAGE_SIZES.map((size) => ({ title: String(size), value: size }))}
                  onSetPage={(_event, page) => change({ page: page - 1 })}
                  onPerPageSelect={(_event, size) => change({ page_size: size })}
                  isCompact
                />
              </ToolbarItem>
            </ToolbarContent>
          </Toolbar>
          {list.isError && <Alert variant="danger" isInline title={`The payloads could not be read: ${list.error.message}`} />}
          {list.data && list.data.count === 0 ? (
            <EmptyState titleText="No payloads match" headingLevel="h2">
              <EmptyStateBody>Nothing was stored with these filters. Clear a filter to see more.</EmptyStateBody>
            </EmptyState>
          ) : (
            <Table aria-label="Payloads" variant="compact">
              <Thead>
                <Tr>
                  {COLUMNS.map((column, index) => (
                    <Th key={column.key} sort={sortParams(index)} modifier="nowrap">
                      {column.title}
                    </Th>
                  ))}
                </Tr>
              </Thead>
              <Tbody>
                {list.data?.data.map((row) => (
                  <Tr key={row.id}>
                    <Td dataLabel="Request ID">
                      <code>{row.request_id}</code>
                    </Td>
                    <Td dataLabel="Account">{row.account}</Td>
                    <Td dataLabel="Org ID">{row.org_id}</Td>
                    <Td dataLabel="Inventory ID">{row.inventory_id}</Td>
                    <Td dataLabel="System ID">{row.system_id}</Td>
                    <Td dataLabel="Created" modifier="nowrap">
                      <time dateTime={row.created_at} title={row.created_at}>
                        {row.created_at.replace('T', ' ').slice(0, 19)} UTC
                      </time>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
          {list.data && (
            <Content component="small" data-testid="total">
              {list.data.count.toLocaleString()} payload{list.data.count === 1 ? '' : 's'}
            </Content>
          )}
        </>
      )}
    </PageSection>
  );
}
