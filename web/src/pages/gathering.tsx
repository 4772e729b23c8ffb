import { NeedsAccess } from '../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  Form,
  FormGroup,
  Label,
  PageSection,
  SearchInput,
  Spinner,
  TextArea,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../api.ts';
import { gatheringRoute } from '../router.tsx';
import { useSession } from '../session.ts';
import { Time } from '../shared/time.tsx';

interface ClusterRequest {
  requestID: string;
  valid: boolean;
  received: string;
  processed: string;
}
interface RequestList {
  cluster: string;
  requests: ClusterRequest[];
}
interface Report {
  report: { rule_fqdn: string; error_key: string; description: string; total_risk: number }[];
}

const RISKS: Record<number, { text: string; color: 'blue' | 'yellow' | 'orange' | 'red' }> = {
  1: { text: 'Low', color: 'blue' },
  2: { text: 'Moderate', color: 'yellow' },
  3: { text: 'Important', color: 'orange' },
  4: { text: 'Critical', color: 'red' },
};

const clusterPath = (cluster: string) => `/cluster/${encodeURIComponent(cluster)}`;

/** A processed request's report: each rule that hit, its total risk and description, riskiest first. */
function RequestReport({ cluster, requestId }: { cluster: string; requestId: string }) {
  const report = useQuery({
    queryKey: ['gathering-report', cluster, requestId],
    queryFn: () => api<Report>(`${clusterPath(cluster)}/request/${encodeURIComponent(requestId)}/report`),
  });
  if (report.isError) return <Alert variant="danger" isInline title={`The report could not be read: ${report.error.message}`} />;
  if (!report.data) return <Spinner size="md" aria-label="Reading the report" />;
  if (report.data.report.length === 0) return <span>No rule hit: the cluster looks healthy.</span>;
  const rules = [...report.data.report].sort((a, b) => b.total_risk - a.total_risk || a.rule_fqdn.localeCompare(b.rule_fqdn));
  return (
    <Table aria-label={`Rules that hit in ${requestId}`} variant="compact" borders={false}>
      <Thead>
        <Tr>
          <Th>Rule</Th>
          <Th>Total risk</Th>
          <Th>Description</Th>
        </Tr>
      </Thead>
      <Tbody>
        {rules.map((rule) => (
          <Tr key={`${rule.rule_fqdn}|${rule.error_key}`}>
            <Td dataLabel="Rule">
              <code>{rule.rule_fqdn}</code> <small>{rule.error_key}</small>
            </Td>
            <Td dataLabel="Total risk">
              <Label color={RISKS[rule.total_risk]?.color ?? 'grey'}>{RISKS[rule.total_risk]?.text ?? rule.total_risk}</Label>
            </Td>
            <Td dataLabel="Description">{rule.description}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** Request IDs pasted in: which are processed, which not yet. */
function CheckRequests({ cluster }: { cluster: string }) {
  const [text, setText] = useState('');
  const check = useMutation({
    mutationFn: (ids: string[]) => api<RequestList>(clusterPath(cluster) + '/requests', { method: 'POST', body: JSON.stringify(ids) }),
  });
  const ids = text.split(/[\s,]+/).filter((id) => id !== '');
  return (
    <Form
      style={{ marginTop: 'var(--pf-t--global--spacer--lg)' }}
      onSubmit={(event) => {
        event.preventDefault();
        check.mutate(ids);
      }}
    >
      <FormGroup label="Check request IDs (one per line)" fieldId="check-ids">
        <TextArea id="check-ids" value={text} onChange={(_event, value) => setText(value)} rows={3} resizeOrientation="vertical" />
      </FormGroup>
      <div>
        <Button type="submit" variant="secondary" isDisabled={ids.length === 0} isLoading={check.isPending}>
          Check
        </Button>
      </div>
      {check.isError && <Alert variant="danger" isInline title={check.error.message} />}
      {check.data && (
        <Table aria-label="Checked request IDs" variant="compact">
          <Tbody>
            {check.data.requests.map((request) => (
              <Tr key={request.requestID}>
                <Td>
                  <code>{request.requestID}</code>
                </Td>
                <Td>{request.valid ? <Label color="green">processed</Label> : <Label color="grey">not yet</Label>}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
    </Form>
  );
}

/** A cluster's gathering requests, newest first; each opens to its report. */
export default function Gathering() {
  const { cluster } = gatheringRoute.useSearch();
  const navigate = gatheringRoute.useNavigate();
  const session = useSession();
  const allowed = session.data ? session.data.scopes.includes('gathering:read') : false;
  const [open, setOpen] = useState<string>();
  const [draft, setDraft] = useState(cluster ?? '');
  const requests = useQuery({
    queryKey: ['gathering', cluster],
    queryFn: () => api<RequestList>(`${clusterPath(cluster!)}/requests`),
    enabled: allowed && cluster !== undefined,
  });
  const unknown = requests.error instanceof ApiError && requests.error.status === 404;

  if (session.data && !allowed) {
    return <NeedsAccess title="Gathering" needs="Gathering requests need a token with gathering:read, or the platform's identity" />;
  }
  return (
    <PageSection>
      <Content component="h1">Gathering</Content>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Cluster ID"
              placeholder="Cluster ID (a UUID)"
              value={draft}
              onChange={(_event, value) => setDraft(value)}
              onSearch={(_event, value) => void navigate({ search: { cluster: value.trim() || undefined } })}
              onClear={() => {
                setDraft('');
                void navigate({ search: {} });
              }}
              style={{ minWidth: '24rem' }}
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {cluster === undefined && (
        <EmptyState titleText="Which cluster?" headingLevel="h2">
          <EmptyStateBody>Enter a cluster ID to see its gathering requests and their reports.</EmptyStateBody>
        </EmptyState>
      )}
      {unknown && (
        <EmptyState titleText="No processed requests" headingLevel="h2">
          <EmptyStateBody>Tracker holds no results for this cluster in your org: none processed yet, or they have expired.</EmptyStateBody>
        </EmptyState>
      )}
      {requests.isError && !unknown && <Alert variant="danger" isInline title={requests.error.message} />}
      {requests.data && (
        <Table aria-label="Gathering requests" variant="compact">
          <Thead>
            <Tr>
              <Th screenReaderText="Open a row" />
              <Th>Request ID</Th>
              <Th>State</Th>
              <Th>Gathered</Th>
              <Th>Processed</Th>
            </Tr>
          </Thead>
          {requests.data.requests.map((request, rowIndex) => (
            <Tbody key={request.requestID} isExpanded={open === request.requestID}>
              <Tr>
                <Td
                  expand={{
                    rowIndex,
                    isExpanded: open === request.requestID,
                    onToggle: () => setOpen(open === request.requestID ? undefined : request.requestID),
                  }}
                />
                <Td dataLabel="Request ID">
                  <code>{request.requestID}</code>
                </Td>
                <Td dataLabel="State">
                  <Label color="green">processed</Label>
                </Td>
                <Td dataLabel="Gathered">
                  <Time value={request.received} />
                </Td>
                <Td dataLabel="Processed">
                  <Time value={request.processed} />
                </Td>
              </Tr>
              {open === request.requestID && (
                <Tr isExpanded>
                  <Td colSpan={5}>
                    <ExpandableRowContent>
                      <RequestReport cluster={cluster!} requestId={request.requestID} />
                    </ExpandableRowContent>
                  </Td>
                </Tr>
              )}
            </Tbody>
          ))}
        </Table>
      )}
      {cluster !== undefined && <CheckRequests cluster={cluster} />}
    </PageSection>
  );
}
