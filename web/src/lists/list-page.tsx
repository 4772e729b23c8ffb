import { NeedsAccess } from '../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  PageSection,
  Pagination,
  SearchInput,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
  ToolbarToggleGroup,
} from '@patternfly/react-core';
import FilterIcon from '@patternfly/react-icons/dist/esm/icons/filter-icon';
import DownloadIcon from '@patternfly/react-icons/dist/esm/icons/download-icon';
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { canReadPayloads, useSession, type Session } from '../session.ts';
import { downloadCsv } from './csv.ts';
import { apiParams, listQuery, PAGE_SIZES, type ListAnswer, type ListSearch, type ListSpec } from './list-search.ts';
import { RefreshPicker } from './refresh-picker.tsx';
import { TimeRangePicker } from './time-range-picker.tsx';

export interface Column<Row, Sort extends string> {
  title: string;
  /** The API's sort_by for this column, when it sorts. */
  sort?: Sort;
  cell: (row: Row) => ReactNode;
  nowrap?: boolean;
}

export interface ListPageProps<Row extends { id: number | string }, Sort extends string, Filter extends string> {
  title: string;
  /** What the rows are called: "payloads", "statuses"; one of them: "payload". */
  noun: string;
  one: string;
  spec: ListSpec<Sort, Filter>;
  columns: Column<Row, Sort>[];
  filters: { key: Filter; label: string }[];
  search: ListSearch<Sort, Filter>;
  onChange: (changes: Partial<ListSearch<Sort, Filter>>) => void;
  /** What an open row shows. */
  expanded?: (row: Row) => ReactNode;
  /** Shown between the toolbar and the rows (counts that filter), given the list's answer. */
  summary?: (answer: ListAnswer<Row> | undefined) => ReactNode;
  /** Who may read the list, and what to say to others; the payload tracker's readers by default. */
  access?: { allowed: (session: Session) => boolean; needs: string };
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
 * A page over one of the payload tracker's lists: its filters, sort, page and
 * time range from the URL, the exact total, auto-refresh that pauses while a
 * row is open, CSV of the whole filter, and what happened when there is nothing to show.
 */
export function ListPage<Row extends { id: number | string }, Sort extends string, Filter extends string>(
  props: ListPageProps<Row, Sort, Filter>,
) {
  const { title, noun, one, spec, columns, filters, search, onChange, expanded } = props;
  const session = useSession();
  // The list is asked for at once, not after the session is known: a first visit waits one round trip less.
  const access = props.access ?? {
    allowed: canReadPayloads,
    needs: `Reading ${noun} needs a token with payloads:read, or the platform's identity`,
  };
  const allowed = session.data ? access.allowed(session.data) : true;
  const [open, setOpen] = useState<Set<Row['id']>>(new Set());
  const [exporting, setExporting] = useState(false);
  const [exportFailure, setExportFailure] = useState<string>();
  const paused = open.size > 0;
  const list = useQuery({
    ...listQuery<Sort, Filter, Row>(spec, search),
    placeholderData: keepPreviousData,
    enabled: allowed,
    refetchInterval: search.refresh && !paused ? search.refresh * 1000 : false,
  });
  // Any change but a page turn starts again from the first page. (The casts below: TypeScript cannot
  // see that a literal object fits a generic intersection type.)
  type Changes = Partial<ListSearch<Sort, Filter>>;
  const change = (changes: Changes) => onChange({ page: 0, ...changes });
  const sortedIndex = columns.findIndex((column) => column.sort === search.sort_by);
  const offset = expanded ? 1 : 0;
  const sortParams = (column: Column<Row, Sort>, index: number): ThProps['sort'] | undefined =>
    column.sort && {
      sortBy: { index: sortedIndex + offset, direction: search.sort_dir },
      onSort: (_event, _index, direction) => change({ sort_by: column.sort, sort_dir: direction } as Changes),
      columnIndex: index + offset,
    };
  const toggle = (id: Row['id']) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const exportCsv = () => {
    setExporting(true);
    setExportFailure(undefined);
    const { page: _page, page_size: _size, ...filter } = apiParams(search, spec.timeField);
    downloadCsv(spec.endpoint, filter, `${noun}.csv`)
      .catch((error: Error) => setExportFailure(error.message))
      .finally(() => setExporting(false));
  };

  const refused = list.error instanceof ApiError && (list.error.status === 401 || list.error.status === 403);
  if (!allowed || refused) {
    return <NeedsAccess title={title} needs={access.needs} />;
  }
  return (
    <PageSection>
      <Content component="h1">{title}</Content>
      <Toolbar>
        <ToolbarContent>
          {/* On a narrow window the filters fold behind one button. */}
          <ToolbarToggleGroup toggleIcon={<FilterIcon />} breakpoint="lg">
            {filters.map((filter) => (
              <ToolbarItem key={filter.key}>
                <FilterInput
                  // A new value in the URL (back, a shared link) starts the box afresh.
                  key={`${filter.key}=${search[filter.key] ?? ''}`}
                  label={filter.label}
                  value={search[filter.key]}
                  onApply={(value) => change({ [filter.key]: value } as Changes)}
                />
              </ToolbarItem>
            ))}
          </ToolbarToggleGroup>
        </ToolbarContent>
        <ToolbarContent>
          <TimeRangePicker
            range={search}
            onChange={(range) => change({ last: undefined, from: undefined, to: undefined, ...range } as Changes)}
          />
          <ToolbarItem>
            <RefreshPicker seconds={search.refresh} paused={paused} onChange={(refresh) => onChange({ refresh } as Changes)} />
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" icon={<DownloadIcon />} onClick={exportCsv} isLoading={exporting} isDisabled={!list.data?.count}>
              CSV
            </Button>
          </ToolbarItem>
          <ToolbarItem variant="pagination">
            <Pagination
              itemCount={list.data?.count ?? 0}
              page={search.page + 1}
              perPage={search.page_size}
              perPageOptions={PAGE_SIZES.map((size) => ({ title: String(size), value: size }))}
              onSetPage={(_event, page) => onChange({ page: page - 1 } as Changes)}
              onPerPageSelect={(_event, size) => change({ page_size: size } as Changes)}
              isCompact
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {props.summary?.(list.data)}
      {exportFailure && <Alert variant="danger" isInline title={`The CSV could not be made: ${exportFailure}`} />}
      {list.isError && <Alert variant="danger" isInline title={`The ${noun} could not be read: ${list.error.message}`} />}
      {list.data && list.data.count === 0 ? (
        <EmptyState titleText={`No ${noun} match`} headingLevel="h2">
          <EmptyStateBody>
            Nothing was stored with these filters in this time range. Clear a filter or widen the range to see more.
          </EmptyStateBody>
        </EmptyState>
      ) : (
        <Table aria-label={title} variant="compact">
          <Thead>
            <Tr>
              {expanded && <Th screenReaderText="Open a row" />}
              {columns.map((column, index) => (
                <Th key={column.title} sort={sortParams(column, index)} modifier="nowrap">
                  {column.title}
                </Th>
              ))}
            </Tr>
          </Thead>
          {list.data?.data.map((row, rowIndex) => (
            <Tbody key={row.id} isExpanded={open.has(row.id)}>
              <Tr>
                {expanded && <Td expand={{ rowIndex, isExpanded: open.has(row.id), onToggle: () => toggle(row.id) }} />}
                {columns.map((column) => (
                  <Td key={column.title} dataLabel={column.title} modifier={column.nowrap ? 'nowrap' : undefined}>
                    {column.cell(row)}
                  </Td>
                ))}
              </Tr>
              {expanded && open.has(row.id) && (
                <Tr isExpanded>
                  <Td colSpan={columns.length + 1}>
                    <ExpandableRowContent>
                      <Fragment>{expanded(row)}</Fragment>
                    </ExpandableRowContent>
                  </Td>
                </Tr>
              )}
            </Tbody>
          ))}
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
