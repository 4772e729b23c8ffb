import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { callerOf } from '../auth/route-access.ts';
import type { Schema } from '../db/schema.ts';
import { errorRenderer } from '../http-errors.ts';
import { Int64Id, readInt64 } from '../shared/int64.ts';
import { dismissTask, getTask, listTasks } from './tasks.queries.ts';

const ErrorPart = Type.Object({ message: Type.String() });
const Failure = Type.Object({ error: ErrorPart, successful: Type.Boolean() });

const Task = Type.Object(
  {
    task_id: Type.Integer(),
    title: Type.String(),
    configuration_id: Type.Integer({ description: 'The schedule the task ran for; 0 when asked directly or the schedule is deleted' }),
    configuration_name: Type.String(),
    performed_by: Type.String(),
    started: Type.String({ description: 'RFC 3339, UTC' }),
    updated: Type.String({ description: 'RFC 3339, UTC' }),
    finished: Type.String({ description: 'RFC 3339, UTC; "" until finished' }),
    state: Type.Enum(['In Progress', 'End', 'Failed', 'Dismissed']),
    hidden_by: Type.String({ description: 'Who dismissed it; "" unless dismissed' }),
    messages: Type.Array(Type.Object({ message: Type.String(), time: Type.String() })),
    report_job: Type.Object(
      { id: Type.String(), type: Type.String() },
      { description: 'The report job the task ran, at /data/reports/{type}/jobs/{id} (an addition to the spec)' },
    ),
  },
  {
    examples: [
      {
        task_id: 1,
        title: 'statuses report',
        configuration_id: 1,
        configuration_name: 'weekly statuses',
        performed_by: 'username',
        started: '2024-07-31T13:57:42.000123000Z',
        updated: '2024-07-31T13:57:43.000123000Z',
        finished: '',
        state: 'In Progress',
        hidden_by: '',
        messages: [{ message: 'queued', time: '2024-07-31T13:57:42.000123000Z' }],
        report_job: { id: '1', type: 'statuses' },
      },
    ],
  },
);

const envelope = <T extends ReturnType<typeof Type.Object>>(result: T) =>
  Type.Object({ error: ErrorPart, result, successful: Type.Boolean() });

const TaskIdParams = Type.Object({ params: Type.Object({ task_id: Int64Id('The task') }) }, { examples: [{ params: { task_id: 1 } }] });
const failures = { 400: Failure, 401: Failure, 403: Failure };
/** Success carries an empty error message, so that the envelope always has the same shape. */
const ok = <T>(result: T) => ({ error: { message: '' }, result, successful: true });

/** The task API's envelope for errors: 400 for a bad request or unknown task; 401 and 403 for access. */
export const sendTaskError = errorRenderer(({ status, message }) => ({
  status: status === 404 ? 400 : status,
  body: { error: { message }, successful: false },
}));

export const taskRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Schema>; now: () => Date }> = async (app, { db, now }) => {
  app.setErrorHandler(sendTaskError);

  app.post(
    '/task/list',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: "List the org's tasks, newest first",
        body: Type.Object(
          {
            params: Type.Optional(
              Type.Object({
                configuration_id: Type.Optional(Int64Id('Only tasks of this schedule')),
                show_hidden: Type.Optional(Type.Boolean({ default: false, description: 'Include dismissed tasks' })),
              }),
            ),
          },
          { examples: [{ params: { configuration_id: 1, show_hidden: false } }] },
        ),
        response: { 200: envelope(Type.Object({ tasks: Type.Array(Task) })), ...failures },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const params = request.body.params ?? {};
      const tasks = await listTasks(db, caller.orgId, {
        configurationId: params.configuration_id === undefined ? undefined : readInt64(params.configuration_id, 'configuration_id'),
        showHidden: params.show_hidden ?? false,
      });
      return ok({ tasks });
    },
  );

  app.post(
    '/task/show',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: 'Show one task with its messages',
        body: TaskIdParams,
        response: { 200: envelope(Type.Object({ task: Task })), ...failures },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return ok({ task: await getTask(db, caller.orgId, readInt64(request.body.params.task_id, 'task_id')) });
    },
  );

  app.post(
    '/task/dismiss',
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Dismiss a finished task: it leaves the list unless show_hidden is asked',
        body: TaskIdParams,
        response: { 200: envelope(Type.Object({ task: Task })), ...failures },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return ok({ task: await dismissTask(db, caller.orgId, readInt64(request.body.params.task_id, 'task_id'), caller.userName, now()) });
    },
  );
};
