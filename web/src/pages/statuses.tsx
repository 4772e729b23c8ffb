import { Label } from '@patternfly/react-core';
import { ListPage, Time, type Column } from '../lists/list-page.tsx';
import { withDefaults } from '../lists/list-search.ts';
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

/** Errors stand out; success and the rest read apart from each other. */
const STATUS_COLOURS: Record<string, 'red' | 'green' | 'blue'> = { error: 'red', success: 'green', received: 'blue' };

const COLUMNS: Column<StatusRow, Sort>[] = [
  { title: 'Date', sort: 'date', cell: (row) => <Time value={row.date} />, nowrap: true },
  { title: 'Request ID', sort: 'request_id', cell: (row) => <code>{row.request_id}</code> },
  { title: 'Service', sort: 'service', cell: (row) => row.service },
  { title: 'Source', sort: 'source', cell: (row) => row.source },
  { title: 'Status', sort: 'status', cell: (row) => <Label color={STATUS_COLOURS[row.status] ?? 'grey'}>{row.status}</Label> },
  { title: 'Message', sort: 'status_msg', cell: (row) => row.status_msg },
];

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
  return (
    <ListPage
      title="Statuses"
      noun="statuses"
      one="status"
      endpoint="/v1/statuses"
      columns={COLUMNS}
      filters={FILTERS}
      search={withDefaults(STATUS_LIST, statusesRoute.useSearch())}
      onChange={(changes) => void navigate({ search: (previous) => ({ ...previous, ...changes }) })}
    />
  );
}
