import { NeedsAccess } from '../../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  Flex,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Pagination,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api.ts';
import { schedulesRoute } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { formatTime, localZoneName } from '../../shared/time.tsx';
import { TASK_STATES } from '../../shared/task-states.ts';
import { inZone, ScheduleForm } from './schedule-form.tsx';
import { SCHEDULES, type Schedule } from './schedule-types.ts';

const PAGE_SIZE = 20;

function DeleteConfirmation({ schedule, onClose }: { schedule: Schedule; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api('/api/v1/reports/registries', { method: 'DELETE', body: JSON.stringify({ schedules_ids: [schedule.id] }) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['schedules'] });
      onClose();
    },
  });
  return (
    <Modal isOpen onClose={onClose} variant="small" aria-labelledby="delete-title">
      <ModalHeader title={`Delete “${schedule.name}”?`} titleIconVariant="warning" labelId="delete-title" />
      <ModalBody>
        It will not run again. The reports and tasks it made stay.
        {remove.isError && <Alert variant="danger" isInline title={remove.error.message} />}
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" onClick={() => remove.mutate()} isLoading={remove.isPending}>
          Delete
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function RunNow({ schedule }: { schedule: Schedule }) {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => api<{ data: { task_id: number } }>(`${SCHEDULES}/${schedule.id}/run`, { method: 'POST' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['schedules'] }),
  });
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => run.mutate()} isLoading={run.isPending}>
        Run now
      </Button>
      {run.isError && <span role="alert">{run.error.message}</span>}
    </>
  );
}

/** The org's report schedules: when each runs next (in its zone and the viewer's), how the last run went; create, change, run, delete. */
export default function Schedules() {
  const { page = 0 } = schedulesRoute.useSearch();
  const navigate = schedulesRoute.useNavigate();
  const session = useSession();
  const scopes = session.data?.scopes ?? [];
  const writable = scopes.includes('data-reports:write');
  const [form, setForm] = useState<{ editing?: Schedule }>();
  const [deleting, setDeleting] = useState<Schedule>();
  const schedules = useQuery({
    queryKey: ['schedules', page],
    queryFn: () =>
      api<{ data: { registries: Schedule[]; count: number } }>(`${SCHEDULES}?paginate=true&page=${page + 1}&page_size=${PAGE_SIZE}`),
    enabled: scopes.includes('data-reports:read'),
    placeholderData: keepPreviousData,
    // A run in progress is followed to its outcome.
    refetchInterval: (query) => (query.state.data?.data.registries.some((row) => row.last_task?.state === 'In Progress') ? 3000 : false),
  });

  if (session.data && !scopes.includes('data-reports:read')) {
    return <NeedsAccess title="Schedules" needs="Schedules need a token with data-reports:read (and data-reports:write to change them)" />;
  }
  const rows = schedules.data?.data.registries ?? [];
  return (
    <PageSection>
      <Flex justifyContent={{ default: 'justifyContentSpaceBetween' }} alignItems={{ default: 'alignItemsCenter' }}>
        <Content component="h1">Schedules</Content>
        {writable && <Button onClick={() => setForm({})}>New schedule</Button>}
      </Flex>
      {schedules.isError && <Alert variant="danger" isInline title={`The schedules could not be read: ${schedules.error.message}`} />}
      {schedules.data?.data.count === 0 ? (
        <EmptyState titleText="No schedules yet" headingLevel="h2">
          <EmptyStateBody>A schedule mails a report of each day, week or month when it ends, in the time zone it names.</EmptyStateBody>
        </EmptyState>
      ) : (
        <Table aria-label="Schedules" variant="compact">
          <Thead>
            <Tr>
              <Th>Name</Th>
              <Th>Report</Th>
              <Th>Every</Th>
              <Th modifier="wrap">Next run</Th>
              <Th modifier="wrap">Last run</Th>
              <Th>Send to</Th>
              <Th screenReaderText="Actions" />
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((schedule) => {
              const last = schedule.last_task;
              return (
                <Tr key={schedule.id}>
                  <Td dataLabel="Name">{schedule.name}</Td>
                  <Td dataLabel="Report">
                    {schedule.type} <small>{schedule.format}</small>
                  </Td>
                  <Td dataLabel="Every">{schedule.schedule}</Td>
                  <Td dataLabel="Next run">
                    <div>
                      {inZone(schedule.next_runs[0], schedule.timezone)} <small>{schedule.timezone}</small>
                    </div>
                    <small>
                      {formatTime(schedule.next_runs[0], 'local').slice(0, 16)} {localZoneName()}
                    </small>
                  </Td>
                  <Td dataLabel="Last run">
                    {last ? (
                      <Link to="/tasks" search={{ task: last.task_id }}>
                        <Label color={TASK_STATES[last.state]?.color ?? 'grey'} icon={TASK_STATES[last.state]?.icon}>
                          {last.state}
                        </Label>{' '}
                        <small>{formatTime(last.started, 'utc').slice(0, 16)} UTC</small>
                      </Link>
                    ) : (
                      'not yet'
                    )}
                  </Td>
                  <Td dataLabel="Send to">{schedule.send_to.join(', ')}</Td>
                  <Td dataLabel="Actions">
                    {writable && (
                      <Flex gap={{ default: 'gapSm' }}>
                        <RunNow schedule={schedule} />
                        <Button variant="secondary" size="sm" onClick={() => setForm({ editing: schedule })}>
                          Change
                        </Button>
                        <Button variant="link" isDanger size="sm" onClick={() => setDeleting(schedule)}>
                          Delete
                        </Button>
                      </Flex>
                    )}
                  </Td>
                </Tr>
              );
            })}
          </Tbody>
        </Table>
      )}
      {schedules.data && schedules.data.data.count > PAGE_SIZE && (
        <Pagination
          itemCount={schedules.data.data.count}
          page={page + 1}
          perPage={PAGE_SIZE}
          perPageOptions={[]}
          onSetPage={(_event, next) => void navigate({ search: { page: next - 1 } })}
          isCompact
        />
      )}
      {form && <ScheduleForm editing={form.editing} onClose={() => setForm(undefined)} />}
      {deleting && <DeleteConfirmation schedule={deleting} onClose={() => setDeleting(undefined)} />}
    </PageSection>
  );
}
