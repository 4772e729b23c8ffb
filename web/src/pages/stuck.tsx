import { Flex, Label } from '@patternfly/react-core';
import { Link } from '@tanstack/react-router';
import { ListPage, type Column } from '../lists/list-page.tsx';
import { withDefaults, type ListAnswer } from '../lists/list-search.ts';
import { STUCK_LIST, type StuckFilter as Filter, type StuckSort as Sort } from '../lists/specs.ts';
import { stuckRoute } from '../router.tsx';
import { humanDuration, statusLook } from '../shared/measures.ts';
import { Time } from '../shared/time.tsx';
import { PayloadPreview } from './track/payload-preview.tsx';

interface StuckRow {
  id: number;
  request_id: string;
  account?: string;
  org_id?: string;
  created_at: string;
  last_service: string;
  last_source?: string;
  last_status: string;
  last_date: string;
  age_seconds: number;
}

type StuckAnswer = ListAnswer<StuckRow> & {
  groups?: { service: string; count: number }[];
  stuck_after_seconds?: number;
  terminal_statuses?: string[];
};

const COLUMNS: Column<StuckRow, Sort>[] = [
  {
    title: 'Request ID',
    sort: 'request_id',
    cell: (row) => (
      <Link to="/track/$requestId" params={{ requestId: row.request_id }}>
        <code>{row.request_id}</code>
      </Link>
    ),
  },
  {
    title: 'Last service',
    sort: 'last_service',
    cell: (row) => (row.last_source ? `${row.last_service} (${row.last_source})` : row.last_service),
  },
  { title: 'Last status', cell: (row) => <Label color={statusLook(row.last_status).label}>{row.last_status}</Label> },
  {
    title: 'Quiet for',
    sort: 'last_date',
    cell: (row) => <span title={`last status at ${row.last_date}`}>{humanDuration(row.age_seconds)}</span>,
    nowrap: true,
  },
  { title: 'Org ID', cell: (row) => row.org_id },
  { title: 'Created', sort: 'created_at', cell: (row) => <Time value={row.created_at} />, nowrap: true },
];

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'stuck_after', label: 'Quiet for at least (30m, 2h)' },
  { key: 'service', label: 'Last service' },
  { key: 'account', label: 'Account' },
  { key: 'org_id', label: 'Org ID' },
];

/** The stuck payloads per last service; a group filters the list to it. */
function Groups({ answer, selected, onSelect }: { answer?: StuckAnswer; selected?: string; onSelect: (service?: string) => void }) {
  if (!answer?.groups?.length) return null;
  return (
    <Flex
      gap={{ default: 'gapSm' }}
      style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}
      role="group"
      aria-label="Stuck payloads by last service"
    >
      {answer.groups.map((group) => (
        <Label
          key={group.service}
          color="orange"
          variant={selected === group.service ? 'filled' : 'outline'}
          onClick={() => onSelect(selected === group.service ? undefined : group.service)}
        >
          {group.service}: {group.count.toLocaleString()}
        </Label>
      ))}
      <small>
        Quiet for {humanDuration(answer.stuck_after_seconds ?? 0)} or more, the last status none of {answer.terminal_statuses?.join(', ')}
      </small>
    </Flex>
  );
}

/** Payloads that went quiet before a terminal status, oldest first, grouped by the service they were last seen in. */
export default function Stuck() {
  const navigate = stuckRoute.useNavigate();
  const search = withDefaults(STUCK_LIST, stuckRoute.useSearch());
  const change = (changes: Partial<typeof search>) => void navigate({ search: (previous) => ({ ...previous, ...changes }) });
  return (
    <ListPage
      title="Stuck payloads"
      noun="stuck payloads"
      one="stuck payload"
      spec={STUCK_LIST}
      columns={COLUMNS}
      filters={FILTERS}
      search={search}
      onChange={change}
      summary={(answer) => <Groups answer={answer} selected={search.service} onSelect={(service) => change({ service, page: 0 })} />}
      expanded={(row) => <PayloadPreview requestId={row.request_id} />}
    />
  );
}
