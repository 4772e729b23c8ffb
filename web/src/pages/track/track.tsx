import { NeedsAccess } from '../../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  ClipboardCopy,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Label,
  PageSection,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, ApiError } from '../../api.ts';
import { trackRoute } from '../../router.tsx';
import { canReadPayloads, useSession } from '../../session.ts';
import { durationSeconds, humanDuration, statusLook } from '../../shared/measures.ts';
import { Time } from '../../shared/time.tsx';
import { lanesOf } from './lanes.ts';
import { Timeline, type Typical } from './timeline.tsx';
import { useLivePayload, type Liveness, type PayloadStatus } from './use-live-payload.ts';

const LIVENESS: Record<Liveness, { text: string; color: 'green' | 'orange' | 'grey' }> = {
  live: { text: 'Live', color: 'green' },
  polling: { text: 'Polling every 5 s', color: 'orange' },
  connecting: { text: 'Connecting…', color: 'grey' },
};

/** The services' usual time, over the last 24 hours. */
function useTypicalTimes() {
  const times = useQuery({
    queryKey: ['service-times'],
    queryFn: () => api<{ data: ({ service: string } & Typical)[] }>('/v1/stats/service-times'),
    staleTime: 5 * 60_000,
  });
  return useMemo(() => new Map(times.data?.data.map((row) => [row.service, row])), [times.data]);
}

/** Kibana always; the archive only for callers with the archive role. */
function PayloadLinks({ requestId, archive }: { requestId: string; archive: boolean }) {
  const path = `/v1/payloads/${encodeURIComponent(requestId)}`;
  const kibana = useQuery({ queryKey: ['kibana', requestId], queryFn: () => api<{ url: string }>(`${path}/kibanaLink`) });
  const openArchive = async () => {
    const link = await api<{ url: string }>(`${path}/archiveLink`);
    window.open(link.url, '_blank', 'noopener');
  };
  return (
    <Flex>
      {kibana.data && (
        <Button component="a" variant="link" isInline href={kibana.data.url} target="_blank" rel="noopener">
          Logs in Kibana
        </Button>
      )}
      {archive && (
        <Button variant="link" isInline onClick={() => void openArchive()}>
          Download the archive
        </Button>
      )}
    </Flex>
  );
}

function PayloadFacts({ first, liveness, total }: { first: PayloadStatus; liveness: Liveness; total?: string }) {
  const facts: [string, string | undefined][] = [
    ['Account', first.account],
    ['Org ID', first.org_id],
    ['Inventory ID', first.inventory_id],
    ['System ID', first.system_id],
  ];
  return (
    <DescriptionList isHorizontal isCompact columnModifier={{ default: '2Col' }}>
      {facts.map(([term, value]) => (
        <DescriptionListGroup key={term}>
          <DescriptionListTerm>{term}</DescriptionListTerm>
          <DescriptionListDescription>{value ?? '—'}</DescriptionListDescription>
        </DescriptionListGroup>
      ))}
      <DescriptionListGroup>
        <DescriptionListTerm>Total time</DescriptionListTerm>
        <DescriptionListDescription>{total ? humanDuration(durationSeconds(total)) : '—'}</DescriptionListDescription>
      </DescriptionListGroup>
      <DescriptionListGroup>
        <DescriptionListTerm>Updates</DescriptionListTerm>
        <DescriptionListDescription>
          <Label color={LIVENESS[liveness].color} isCompact data-testid="liveness">
            {LIVENESS[liveness].text}
          </Label>
        </DescriptionListDescription>
      </DescriptionListGroup>
    </DescriptionList>
  );
}

function StatusTable({ statuses }: { statuses: PayloadStatus[] }) {
  return (
    <Table aria-label="Statuses" variant="compact">
      <Thead>
        <Tr>
          <Th>Date</Th>
          <Th>Service</Th>
          <Th>Source</Th>
          <Th>Status</Th>
          <Th width={50}>Message</Th>
        </Tr>
      </Thead>
      <Tbody>
        {statuses.map((status) => (
          <Tr key={status.id}>
            <Td dataLabel="Date">
              <Time value={status.date} withMillis />
            </Td>
            <Td dataLabel="Service">{status.service}</Td>
            <Td dataLabel="Source">{status.source}</Td>
            <Td dataLabel="Status">
              <Label color={statusLook(status.status).label}>{status.status}</Label>
            </Td>
            <Td dataLabel="Message">
              {status.status_msg && (
                <ClipboardCopy
                  isReadOnly
                  hoverTip="Copy"
                  clickTip="Copied"
                  variant={status.status_msg.length > 80 ? 'expansion' : 'inline-compact'}
                >
                  {status.status_msg}
                </ClipboardCopy>
              )}
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** One payload: its journey through the services as a timeline, then every status, kept current as statuses arrive. */
export default function Track() {
  const { requestId } = trackRoute.useParams();
  const session = useSession();
  const allowed = session.data ? canReadPayloads(session.data) : true;
  const { detail, liveness } = useLivePayload(requestId);
  const typical = useTypicalTimes();
  const lanes = useMemo(() => lanesOf(detail.data?.data ?? []), [detail.data]);

  const heading = (
    <Content component="h1">
      Payload <code style={{ overflowWrap: 'anywhere' }}>{requestId}</code>
    </Content>
  );
  if (!allowed) {
    return <NeedsAccess title={heading} needs="Reading payloads needs a token with payloads:read, or the platform's identity" />;
  }
  if (detail.isError) {
    const unknown = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <PageSection>
        {heading}
        <Alert variant={unknown ? 'info' : 'danger'} isInline title={unknown ? 'No payload has this request ID' : detail.error.message}>
          {unknown && 'Tracker has no status for it (yet, or any more: statuses are kept for the retention period).'}
        </Alert>
      </PageSection>
    );
  }
  const statuses = detail.data?.data ?? [];
  return (
    <PageSection>
      {heading}
      {statuses.length > 0 && (
        <Flex direction={{ default: 'column' }} gap={{ default: 'gapMd' }}>
          <PayloadFacts first={statuses[0]} liveness={liveness} total={detail.data?.duration.total_time} />
          <PayloadLinks requestId={requestId} archive={session.data?.archive_links ?? false} />
          <Card isCompact>
            <CardTitle>Timeline</CardTitle>
            <CardBody>
              <Timeline lanes={lanes} typical={typical} />
            </CardBody>
          </Card>
          <Card isCompact>
            <CardTitle>{statuses.length === 1 ? '1 status' : `${statuses.length} statuses`}</CardTitle>
            <CardBody>
              <StatusTable statuses={statuses} />
            </CardBody>
          </Card>
        </Flex>
      )}
    </PageSection>
  );
}
