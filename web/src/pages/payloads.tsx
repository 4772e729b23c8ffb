import { Link } from '@tanstack/react-router';
import { ListPage, type Column } from '../lists/list-page.tsx';
import { Time } from '../shared/time.tsx';
import { PayloadPreview } from './track/payload-preview.tsx';
import { apiParams, withDefaults } from '../lists/list-search.ts';
import { StatusCounts } from '../lists/status-counts.tsx';
import { PAYLOAD_LIST, type PayloadFilter as Filter, type PayloadSort as Sort } from '../lists/specs.ts';
import { payloadsRoute } from '../router.tsx';

interface PayloadRow {
  id: number;
  request_id: string;
  account?: string;
  org_id?: string;
  inventory_id?: string;
  system_id?: string;
  created_at: string;
}

const COLUMNS: Column<PayloadRow, Sort>[] = [
  {
    title: 'Request ID',
    sort: 'request_id',
    cell: (row) => (
      <Link to="/track/$requestId" params={{ requestId: row.request_id }}>
        <code>{row.request_id}</code>
      </Link>
    ),
  },
  { title: 'Account', sort: 'account', cell: (row) => row.account },
  { title: 'Org ID', sort: 'org_id', cell: (row) => row.org_id },
  { title: 'Inventory ID', sort: 'inventory_id', cell: (row) => row.inventory_id },
  { title: 'System ID', sort: 'system_id', cell: (row) => row.system_id },
  { title: 'Created', sort: 'created_at', cell: (row) => <Time value={row.created_at} />, nowrap: true },
];

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'account', label: 'Account' },
  { key: 'org_id', label: 'Org ID' },
  { key: 'inventory_id', label: 'Inventory ID' },
  { key: 'system_id', label: 'System ID' },
];

/** Payloads: every filter of `GET /v1/payloads`, sorting and paging, all kept in the URL; counts by last status that filter. */
export default function Payloads() {
  const navigate = payloadsRoute.useNavigate();
  const search = withDefaults(PAYLOAD_LIST, payloadsRoute.useSearch());
  const change = (changes: Partial<typeof search>) => void navigate({ search: (previous) => ({ ...previous, ...changes }) });
  return (
    <ListPage
      title="Payloads"
      noun="payloads"
      one="payload"
      spec={PAYLOAD_LIST}
      columns={COLUMNS}
      filters={FILTERS}
      expanded={(row) => <PayloadPreview requestId={row.request_id} />}
      search={search}
      onChange={change}
      summary={() => (
        <StatusCounts
          endpoint={PAYLOAD_LIST.endpoint}
          field="last_status"
          params={apiParams(search, PAYLOAD_LIST.timeField)}
          selected={search.last_status}
          onSelect={(last_status) => change({ last_status, page: 0 })}
        />
      )}
    />
  );
}
