import type { Kysely, Selectable } from 'kysely';
import type { Schema, TasksTable, TaskState } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { withNanos } from '../shared/timestamps.ts';

export interface NewTask {
  orgId: string;
  reportJobId: string;
  title: string;
  /** The schedule the run came from; 0 for a job asked for directly. */
  configurationId: string;
  configurationName: string;
  performedBy: string;
}

/** Records a new execution, In Progress, with its first message. */
export async function createTask(db: Kysely<Schema>, task: NewTask, firstMessage: string, now: Date): Promise<string> {
  const at = now.toISOString();
  const { id } = await db
    .insertInto('tasks')
    .values({
      org_id: task.orgId,
      report_job_id: task.reportJobId,
      title: task.title,
      configuration_id: task.configurationId,
      configuration_name: task.configurationName,
      performed_by: task.performedBy,
      started: at,
      updated: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addTaskMessage(db, id, firstMessage, now);
  return id;
}

/** Appends a progress message; a task's `updated` is the time of its last message. */
export async function addTaskMessage(db: Kysely<Schema>, taskId: string, message: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db.insertInto('task_messages').values({ task_id: taskId, message, time: at }).execute();
  await db.updateTable('tasks').set({ updated: at }).where('id', '=', taskId).execute();
}

/** Ends a task with its last message, unless it ended already. */
export async function finishTask(db: Kysely<Schema>, taskId: string, state: 'End' | 'Failed', message: string, now: Date): Promise<void> {
  await addTaskMessage(db, taskId, message, now);
  await db
    .updateTable('tasks')
    .set({ state, finished: now.toISOString() })
    .where('id', '=', taskId)
    .where('finished', 'is', null)
    .execute();
}

export interface TaskView {
  task_id: number;
  title: string;
  configuration_id: number;
  configuration_name: string;
  performed_by: string;
  started: string;
  updated: string;
  finished: string;
  state: TaskState;
  hidden_by: string;
  messages: { message: string; time: string }[];
  /** The report job the task ran (an addition to the spec, for the console's link). */
  report_job: { id: string; type: string };
}

const TASK_COLUMNS = [
  'id',
  'title',
  'configuration_id',
  'configuration_name',
  'performed_by',
  'started',
  'updated',
  'finished',
  'state',
  'hidden_by',
] as const;

type TaskRow = Pick<Selectable<TasksTable>, (typeof TASK_COLUMNS)[number] | 'report_job_id'> & { report_type: string };

/** The tasks with the type of the report job each ran. */
const tasksWithJobs = (db: Kysely<Schema>) =>
  db
    .selectFrom('tasks')
    .innerJoin('report_jobs', 'report_jobs.id', 'tasks.report_job_id')
    .select([...TASK_COLUMNS.map((column) => `tasks.${column}` as const), 'tasks.report_job_id', 'report_jobs.type as report_type']);

async function withMessages(db: Kysely<Schema>, rows: TaskRow[]): Promise<TaskView[]> {
  if (rows.length === 0) return [];
  const messages = await db
    .selectFrom('task_messages')
    .select(['task_id', 'message', 'time'])
    .where(
      'task_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('task_id')
    .orderBy('id')
    .execute();
  const byTask = Map.groupBy(messages, (message) => message.task_id);
  return rows.map((row) => ({
    task_id: Number(row.id),
    title: row.title,
    configuration_id: Number(row.configuration_id),
    configuration_name: row.configuration_name,
    performed_by: row.performed_by,
    started: withNanos(row.started),
    updated: withNanos(row.updated),
    finished: row.finished ? withNanos(row.finished) : '',
    state: row.state,
    hidden_by: row.hidden_by ?? '',
    messages: (byTask.get(row.id) ?? []).map(({ message, time }) => ({ message, time: withNanos(time) })),
    report_job: { id: row.report_job_id, type: row.report_type },
  }));
}

/** The org's tasks, newest first; dismissed ones only when asked. */
export async function listTasks(
  db: Kysely<Schema>,
  orgId: string,
  { configurationId, showHidden }: { configurationId?: string; showHidden: boolean },
): Promise<TaskView[]> {
  const rows = await tasksWithJobs(db)
    .where('tasks.org_id', '=', orgId)
    .$if(configurationId !== undefined, (query) => query.where('tasks.configuration_id', '=', configurationId!))
    .$if(!showHidden, (query) => query.where('tasks.state', '<>', 'Dismissed'))
    .orderBy('tasks.id', 'desc')
    .execute();
  return withMessages(db, rows);
}

export async function getTask(db: Kysely<Schema>, orgId: string, taskId: string): Promise<TaskView> {
  const row = await tasksWithJobs(db).where('tasks.org_id', '=', orgId).where('tasks.id', '=', taskId).executeTakeFirst();
  if (!row) throw new AppError('not_found', `task ${taskId} was not found`);
  return (await withMessages(db, [row]))[0];
}

/** Hides a finished task from the list; a task still in progress cannot be dismissed. */
export async function dismissTask(db: Kysely<Schema>, orgId: string, taskId: string, user: string, now: Date) {
  const task = await getTask(db, orgId, taskId);
  if (task.state === 'In Progress') throw new AppError('invalid', `task ${taskId} is still in progress and cannot be dismissed`);
  if (task.state !== 'Dismissed') {
    await db
      .updateTable('tasks')
      .set({ state: 'Dismissed', hidden_by: user, updated: now.toISOString() })
      .where('id', '=', taskId)
      .execute();
  }
  return getTask(db, orgId, taskId);
}
