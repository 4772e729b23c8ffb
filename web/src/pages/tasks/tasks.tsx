import { NeedsAccess } from '../../shared/needs-access.tsx';
import {
  Alert,
  Button,
  Content,
  EmptyState,
  EmptyStateBody,
  Flex,
  Label,
  List,
  ListItem,
  PageSection,
  Switch,
} from '@patternfly/react-core';
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { tasksRoute } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { humanDuration } from '../../shared/measures.ts';
import { taskCall, type Task } from '../../shared/task-messages.tsx';
import { TASK_STATES } from '../../shared/task-states.ts';
import { Time } from '../../shared/time.tsx';

type ListedTask = Task & { report_job: { id: string; type: string } };

function Dismiss({ task }: { task: ListedTask }) {
  const queryClient = useQueryClient();
  const dismiss = useMutation({
    mutationFn: () => taskCall('/task/dismiss', { task_id: task.task_id }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
  return (
    <>
      <Button variant="link" size="sm" onClick={() => dismiss.mutate()} isLoading={dismiss.isPending}>
        Dismiss
      </Button>
      {dismiss.isError && <span role="alert">{dismiss.error.message}</span>}
    </>
  );
}

/** What the task ran: its report job, and the schedule that asked for it. */
function Origin({ task }: { task: ListedTask }) {
  return (
    <Flex direction={{ default: 'column' }} gap={{ default: 'gapNone' }}>
      <Link to="/reports" search={{ type: task.report_job.type as 'statuses' }}>
        {task.report_job.type} report #{task.report_job.id}
      </Link>
      {task.configuration_id !== 0 ? (
        <small>
          by schedule <Link to="/schedules">{task.configuration_name}</Link>
        </small>
      ) : (
        <small>asked directly</small>
      )}
    </Flex>
  );
}

/** Every execution of a report, newest first: state, times and progress messages; finished ones can be dismissed. */
export default function Tasks() {
  const { hidden = false, task: opened } = tasksRoute.useSearch();
  const navigate = tasksRoute.useNavigate();
  const session = useSession();
  const scopes = session.data?.scopes ?? [];
  const tasks = useQuery({
    queryKey: ['tasks', hidden],
    queryFn: () => taskCall<{ tasks: ListedTask[] }>('/task/list', { show_hidden: hidden }),
    enabled: scopes.includes('data-reports:read'),
    refetchInterval: (query) => (query.state.data?.tasks.some((task) => task.state === 'In Progress') ? 2000 : false),
  });
  const open = (taskId?: number) => void navigate({ search: (previous) => ({ ...previous, task: taskId }) });

  if (session.data && !scopes.includes('data-reports:read')) {
    return <NeedsAccess title="Tasks" needs="Tasks need a token with data-reports:read (and data-reports:write to dismiss them)" />;
  }
  const rows = tasks.data?.tasks ?? [];
  return (
    <PageSection>
      <Flex justifyContent={{ default: 'justifyContentSpaceBetween' }} alignItems={{ default: 'alignItemsCenter' }}>
        <Content component="h1">Tasks</Content>
        <Switch
          id="show-hidden"
          label="Show dismissed tasks"
          isChecked={hidden}
          onChange={(_event, checked) => void navigate({ search: (previous) => ({ ...previous, hidden: checked || undefined }) })}
        />
      </Flex>
      {tasks.isError && <Alert variant="danger" isInline title={`The tasks could not be read: ${tasks.error.message}`} />}
      {tasks.data && rows.length === 0 ? (
        <EmptyState titleText="No tasks" headingLevel="h2">
          <EmptyStateBody>Each report asked for, or run by a schedule, shows here with its progress.</EmptyStateBody>
        </EmptyState>
      ) : (
        <Table aria-label="Tasks" variant="compact">
          <Thead>
            <Tr>
              <Th screenReaderText="Open a row" />
              <Th>Task</Th>
              <Th>State</Th>
              <Th>Started</Th>
              <Th>Took</Th>
              <Th>Ran</Th>
              <Th>By</Th>
              <Th screenReaderText="Actions" />
            </Tr>
          </Thead>
          {rows.map((task, rowIndex) => {
            const isOpen = opened === task.task_id;
            const look = TASK_STATES[task.state];
            const took = task.finished ? (Date.parse(task.finished) - Date.parse(task.started)) / 1000 : undefined;
            return (
              <Tbody key={task.task_id} isExpanded={isOpen}>
                <Tr>
                  <Td expand={{ rowIndex, isExpanded: isOpen, onToggle: () => open(isOpen ? undefined : task.task_id) }} />
                  <Td dataLabel="Task">
                    {task.title} <small>#{task.task_id}</small>
                  </Td>
                  <Td dataLabel="State">
                    <Label color={look.color} icon={look.icon} data-testid="task-state">
                      {task.state}
                    </Label>
                  </Td>
                  <Td dataLabel="Started">
                    <Time value={task.started} />
                  </Td>
                  <Td dataLabel="Took">{took === undefined ? 'running' : humanDuration(took)}</Td>
                  <Td dataLabel="Ran">
                    <Origin task={task} />
                  </Td>
                  <Td dataLabel="By">{task.performed_by}</Td>
                  <Td dataLabel="Actions">
                    {task.state !== 'In Progress' && task.state !== 'Dismissed' && scopes.includes('data-reports:write') && (
                      <Dismiss task={task} />
                    )}
                  </Td>
                </Tr>
                {isOpen && (
                  <Tr isExpanded>
                    <Td colSpan={8}>
                      <ExpandableRowContent>
                        <List isPlain aria-label={`Messages of task ${task.task_id}`}>
                          {task.messages.map((message, index) => (
                            <ListItem key={index}>
                              <Time value={message.time} /> — {message.message}
                            </ListItem>
                          ))}
                        </List>
                        {task.hidden_by && <small>Dismissed by {task.hidden_by}</small>}
                      </ExpandableRowContent>
                    </Td>
                  </Tr>
                )}
              </Tbody>
            );
          })}
        </Table>
      )}
    </PageSection>
  );
}
