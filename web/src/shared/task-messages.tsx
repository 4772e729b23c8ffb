import { Alert, List, ListItem, Spinner } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { Time } from './time.tsx';

export interface Task {
  task_id: number;
  title: string;
  configuration_id: number;
  configuration_name: string;
  performed_by: string;
  started: string;
  updated: string;
  finished: string;
  state: 'In Progress' | 'End' | 'Failed' | 'Dismissed';
  hidden_by: string;
  messages: { message: string; time: string }[];
}

/** What the task API's envelope holds on success. */
export const taskCall = async <T,>(path: string, params: object) =>
  (await api<{ result: T }>(path, { method: 'POST', body: JSON.stringify({ params }) })).result;

/** A task's progress messages, oldest first, read again every 2 s while it runs. */
export function TaskMessages({ taskId }: { taskId: number }) {
  const task = useQuery({
    queryKey: ['task', taskId],
    queryFn: () => taskCall<{ task: Task }>('/task/show', { task_id: taskId }),
    refetchInterval: (query) => (query.state.data?.task.state === 'In Progress' ? 2000 : false),
  });
  if (task.isError) return <Alert variant="danger" isInline title={`The task could not be read: ${task.error.message}`} />;
  if (!task.data) return <Spinner size="md" aria-label="Reading the task" />;
  return (
    <List isPlain aria-label={`Messages of task ${taskId}`}>
      {task.data.task.messages.map((message, index) => (
        <ListItem key={index}>
          <Time value={message.time} /> — {message.message}
        </ListItem>
      ))}
    </List>
  );
}
