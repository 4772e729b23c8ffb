import { ClipboardCopy, Label } from '@patternfly/react-core';
import { Link } from '@tanstack/react-router';
import { ListPage, type Column } from '../lists/list-page.tsx';
import { Time } from '../shared/time.tsx';
import { statusLook } from '../shared/measures.ts';
import { apiParams, withDefaults } from '../lists/list-search.ts';
import { StatusCounts } from '../lists/status-counts.tsx';
import { STATUS_LIST, type StatusFilter as Filter, type StatusSort as Sort } from '../lists/specs.ts';
import { statusesRoute } from '../router.tsx';

interface StatusRow {
  id: number;
  request_id: string;
  service: string;
  source?: string;
  status: string;
  status_msg?: string;
  date: string;
  created_at: string;
}

const COLUMNS: Column<StatusRow, Sort>[] = [
  { title: 'Date', sort: 'date', cell: (row) => <Time value={row.date} />, nowrap: true },
  {
    title: 'Request ID',
    sort: 'request_id',
    cell: (row) => (
      <Link to="/track/$requestId" params={{ requestId: row.request_id }}>
        <code>{row.request_id}</code>
      </Link>
    ),
  },
  { title: 'Service', sort: 'service', cell: (row) => row.service },
  { title: 'Source', sort: 'source', cell: (row) => row.source },
  { title: 'Status', sort: 'status', cell: (row) => <Label color={statusLook(row.status).label}>{row.status}</Label> },
  { title: 'Message', sort: 'status_msg', cell: (row) => firstLine(row.status_msg) },
];

/** A message's first line, cut short; the open row shows all of it. */
const firstLine = (message?: string) => {
  const line = message?.split('\n')[0] ?? '';
  return line.length > 100 || line !== message ? `${line.slice(0, 100)}…` : line;
};

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'request_id', label: 'Request ID' },
  { key: 'service', label: 'Service' },
  { key: 'source', label: 'Source' },
  { key: 'status', label: 'Status' },
  { key: 'status_msg', label: 'Message' },
];

/** Statuses: every filter of `GET /v1/statuses`, sorting and paging, all kept in the URL. */
export default function Statuses() {
  const navigate = statusesRoute.useNavigate();
  const search = withDefaults(STATUS_LIST, statusesRoute.useSearch());
  const change = (changes: Partial<typeof search>) => void navigate({ search: (previous) => ({ ...previous, ...changes }) });
  return (
    <ListPage
      title="Statuses"
      noun="statuses"
      one="status"
      spec={STATUS_LIST}
      columns={COLUMNS}
      filters={FILTERS}
      search={search}
      onChange={change}
      summary={() => (
        <StatusCounts
          endpoint={STATUS_LIST.endpoint}
          field="status"
          params={apiParams(search, STATUS_LIST.timeField)}
          selected={search.status}
          onSelect={(status) => change({ status, page: 0 })}
        />
      )}
      expanded={(row) =>
        row.status_msg ? (
          <ClipboardCopy isReadOnly isCode variant="expansion" isExpanded hoverTip="Copy" clickTip="Copied">
            {row.status_msg}
          </ClipboardCopy>
        ) : (
          'No message.'
        )
      }
    />
  );
}
