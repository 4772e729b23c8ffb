import { NeedsAccess } from '../../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Content,
  EmptyState,
  EmptyStateBody,
  Flex,
  Label,
  PageSection,
  Pagination,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, downloadFile } from '../../api.ts';
import { REPORT_TYPES, reportsRoute } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { TaskMessages } from '../../shared/task-messages.tsx';
import { Time } from '../../shared/time.tsx';
import { ReportForm } from './report-form.tsx';

const PAGE_SIZE = 20;

interface Job {
  id: string;
  type: string;
  name: string;
  timezone: string;
  status: 'CREATED' | 'PROCESSING' | 'DONE' | 'FAILED' | 'DELETED';
  format: string;
  timespan: { from: string; to: string };
  created_at: string;
  finished_at?: string;
  failure_reason?: string;
  file?: { size: number; rows: number; expires_at: string };
  task_id: number;
}

const STATES: Record<Job['status'], { color: 'grey' | 'blue' | 'green' | 'red'; text: string }> = {
  CREATED: { color: 'grey', text: 'Waiting' },
  PROCESSING: { color: 'blue', text: 'Rendering' },
  DONE: { color: 'green', text: 'Done' },
  FAILED: { color: 'red', text: 'Failed' },
  DELETED: { color: 'grey', text: 'Deleted' },
};

const running = (job: Job) => job.status === 'CREATED' || job.status === 'PROCESSING';

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

function JobActions({ job }: { job: Job }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api(`/data/reports/${job.type}/jobs/${job.id}`, { method: 'DELETE' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['report-jobs'] }),
  });
  const download = useMutation({
    mutationFn: () => downloadFile(`/data/reports/${job.type}/files/${job.id}`, `${job.name}.${job.format}`),
  });
  return (
    <Flex gap={{ default: 'gapSm' }}>
      {job.status === 'DONE' && (
        <Button variant="secondary" size="sm" onClick={() => download.mutate()} isLoading={download.isPending}>
          Download
        </Button>
      )}
      {job.status !== 'DELETED' && (
        <Button variant="link" isDanger size="sm" onClick={() => remove.mutate()} isLoading={remove.isPending}>
          {running(job) ? 'Cancel' : 'Delete file'}
        </Button>
      )}
      {(remove.error ?? download.error) && <span role="alert">{(remove.error ?? download.error)?.message}</span>}
    </Flex>
  );
}

/** The org's report jobs of each type: state, progress, span and file; a form to ask for one; refreshed while any runs. */
export default function Reports() {
  const { type = 'statuses', page = 0 } = reportsRoute.useSearch();
  const navigate = reportsRoute.useNavigate();
  const session = useSession();
  const scopes = session.data?.scopes ?? [];
  const readable = scopes.includes('data-reports:read');
  const [open, setOpen] = useState<string>();
  const quota = useQuery({
    queryKey: ['report-quota'],
    queryFn: () => api<{ max_unfinished: number; unfinished: number; max_span_days: number }>('/data/reports/quota'),
    enabled: readable,
  });
  const jobs = useQuery({
    queryKey: ['report-jobs', type, page],
    queryFn: () => api<{ count: number; jobs: { job: Job }[] }>(`/data/reports/${type}/jobs?page=${page}&page_size=${PAGE_SIZE}`),
    enabled: readable,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.jobs.some(({ job }) => running(job)) ? 2000 : false),
  });
  const queryClient = useQueryClient();
  const runningCount = jobs.data?.jobs.filter(({ job }) => running(job)).length;
  // The quota follows the jobs as they start and finish.
  useEffect(() => void queryClient.invalidateQueries({ queryKey: ['report-quota'] }), [runningCount, queryClient]);

  if (session.data && !readable) {
    return <NeedsAccess title="Reports" needs="Reports need a token with data-reports:read (and data-reports:write to ask for one)" />;
  }
  return (
    <PageSection>
      <Content component="h1">Reports</Content>
      <Flex alignItems={{ default: 'alignItemsCenter' }} style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}>
        <ToggleGroup aria-label="Report type">
          {REPORT_TYPES.map((option) => (
            <ToggleGroupItem
              key={option}
              text={option}
              buttonId={`type-${option}`}
              isSelected={type === option}
              onChange={() => void navigate({ search: { type: option } })}
            />
          ))}
        </ToggleGroup>
        {quota.data && (
          <span data-testid="quota">
            {quota.data.unfinished} of {quota.data.max_unfinished} jobs of the org waiting or rendering
          </span>
        )}
      </Flex>
      {scopes.includes('data-reports:write') ? (
        <Card isCompact style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}>
          <CardTitle>Ask for a {type} report</CardTitle>
          <CardBody>
            <ReportForm key={type} type={type} maxSpanDays={quota.data?.max_span_days} />
          </CardBody>
        </Card>
      ) : (
        <Alert variant="info" isInline isPlain title="Asking for a report needs a token with data-reports:write" />
      )}
      {jobs.isError && <Alert variant="danger" isInline title={`The jobs could not be read: ${jobs.error.message}`} />}
      {jobs.data?.count === 0 ? (
        <EmptyState titleText={`No ${type} reports yet`} headingLevel="h2">
          <EmptyStateBody>Reports asked for here or run by a schedule show up in this list.</EmptyStateBody>
        </EmptyState>
      ) : (
        <Table aria-label="Report jobs" variant="compact">
          <Thead>
            <Tr>
              <Th screenReaderText="Open a row" />
              <Th>Name</Th>
              <Th>State</Th>
              <Th>Format</Th>
              <Th>Span</Th>
              <Th>File</Th>
              <Th>Asked</Th>
              <Th screenReaderText="Actions" />
            </Tr>
          </Thead>
          {jobs.data?.jobs.map(({ job }, rowIndex) => (
            <Tbody key={job.id} isExpanded={open === job.id}>
              <Tr>
                <Td expand={{ rowIndex, isExpanded: open === job.id, onToggle: () => setOpen(open === job.id ? undefined : job.id) }} />
                <Td dataLabel="Name">{job.name}</Td>
                <Td dataLabel="State">
                  <Label color={STATES[job.status].color} title={job.failure_reason}>
                    {STATES[job.status].text}
                  </Label>
                </Td>
                <Td dataLabel="Format">{job.format}</Td>
                <Td dataLabel="Span">
                  {job.timespan.from} → {job.timespan.to} <small>{job.timezone}</small>
                </Td>
                <Td dataLabel="File">{job.file ? `${job.file.rows.toLocaleString()} rows, ${size(job.file.size)}` : '—'}</Td>
                <Td dataLabel="Asked">
                  <Time value={job.created_at} />
                </Td>
                <Td dataLabel="Actions">
                  <JobActions job={job} />
                </Td>
              </Tr>
              {open === job.id && (
                <Tr isExpanded>
                  <Td colSpan={8}>
                    <ExpandableRowContent>
                      {job.failure_reason && <Alert variant="danger" isInline isPlain title={job.failure_reason} />}
                      <TaskMessages taskId={job.task_id} />
                    </ExpandableRowContent>
                  </Td>
                </Tr>
              )}
            </Tbody>
          ))}
        </Table>
      )}
      {jobs.data && jobs.data.count > PAGE_SIZE && (
        <Pagination
          itemCount={jobs.data.count}
          page={page + 1}
          perPage={PAGE_SIZE}
          perPageOptions={[]}
          onSetPage={(_event, next) => void navigate({ search: { type, page: next - 1 } })}
          isCompact
        />
      )}
    </PageSection>
  );
}
