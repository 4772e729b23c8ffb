import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { callerOf } from '../auth/route-access.ts';
import { AppError, invalid, invalidFields } from '../errors.ts';
import { schemaProblems } from '../validation-errors.ts';
import { int64Param, readInt64 } from '../shared/int64.ts';
import { textParam } from '../shared/query-params.ts';
import { MAX_PAGE } from '../shared/paging.ts';
import { errorRenderer } from '../http-errors.ts';
import type { Config } from '../config.ts';
import type { Schema } from '../db/schema.ts';
import type { Enqueue } from '../reports/jobs.queries.ts';
import { readScheduleAttrs, type ScheduleAttrs } from './schedule-attrs.ts';
import {
  DeleteSchedulesBody,
  failures,
  Schedule,
  Failure,
  IdParams,
  ListQuery,
  NewScheduleBody,
  NextRuns,
  ScheduleBody,
  ScheduleChangeBody,
} from './schedules.schemas.ts';
import { runScheduleNow } from './scheduler.ts';
import {
  createSchedule,
  deleteSchedules,
  getSchedule,
  listSchedules,
  NEXT_RUNS,
  previewRuns,
  updateSchedule,
  type ScheduleFilters,
} from './schedules.queries.ts';
import { isKnownTimeZone } from '../shared/time-zone.ts';

const ok = <T>(message: string, data?: T) => ({ ...(data === undefined ? {} : { data }), message, status: 'ok' });

/**
 * The schedules API's error body, `{message, status: "error"}`; with a
 * `prefix`, a refused request is worded as the spec does: "Error creating new
 * schedule: name: is required".
 */
export const scheduleError = (prefix?: string) =>
  errorRenderer(({ status, message, details }) => ({
    body: {
      message: prefix && status === 400 ? `${prefix}: ${message}` : message,
      status: 'error',
      ...(details.length > 0 ? { errors: details.map(({ field, reason }) => ({ field, reason })) } : {}),
    },
  }));

function optionalInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,18}$/.test(value)) throw invalid(name, `must be a whole number, not "${value}"`);
  return Number(value);
}

/** Unknown schedules a refused delete names, at most. */
const MAX_NAMED = 10;

function readFilters(query: Record<string, string | undefined>): ScheduleFilters {
  const idList = textParam(query.id_list)
    ?.replace(/^\[|\]$/g, '')
    .split(',')
    .map((id) => id.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
  idList?.forEach((id) => int64Param(id, 'id_list'));
  return {
    id: query.id === undefined ? undefined : int64Param(query.id, 'id'),
    idList,
    name: textParam(query.name),
    type: textParam(query.type),
    schedule: textParam(query.schedule),
    scheduledAtStart: optionalInteger('scheduled_at_start', query.scheduled_at_start),
    scheduledAtEnd: optionalInteger('scheduled_at_end', query.scheduled_at_end ?? query.scheduled_by_end),
    scheduledBy: textParam(query.scheduled_by),
  };
}

/** `paginate` is required; with it true, so are `page` (from 1) and `page_size` (1 to 100). */
function readPaging(query: Record<string, string | undefined>) {
  const fail = (reason: string) => new AppError('invalid', `Error with pagination fields: ${reason}`);
  if (query.paginate !== 'true' && query.paginate !== 'false') throw fail('paginate must be true or false');
  if (query.paginate === 'false') return undefined;
  const page = Number(query.page);
  const pageSize = Number(query.page_size);
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) throw fail(`page must be a whole number from 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw fail('page_size must be a whole number from 1 to 100');
  return { page: page - 1, pageSize };
}

export interface ScheduleRouteDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  now: () => Date;
  /** Puts the report job of a run on the rendering queue. */
  enqueue: Enqueue;
}

export const scheduleRoutes: FastifyPluginAsyncTypebox<ScheduleRouteDeps> = async (app, deps) => {
  const { db, now } = deps;
  app.setErrorHandler(scheduleError());
  const base = '/api/v1/reports/schedules';

  app.get(
    base,
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: "List the org's report schedules",
        description:
          '`paginate` is required; when true, `page` (from 1) and `page_size` too, and `data.count` holds the number of matches. ' +
          '`id_list` is comma-separated; `scheduled_by_end` is accepted for `scheduled_at_end`.',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            data: Type.Object({ registries: Type.Array(Schedule), count: Type.Optional(Type.Integer()) }),
            message: Type.String(),
            status: Type.String(),
          }),
          ...failures,
        },
      },
    },
    async (request) => {
      const paging = readPaging(request.query);
      const filters = readFilters(request.query);
      const { count, schedules } = await listSchedules(db, callerOf(request).orgId, filters, paging);
      return ok('List of report schedules', { registries: schedules, ...(paging ? { count } : {}) });
    },
  );

  app.get(
    `${base}/:schedule_id`,
    {
      config: { access: { token: 'data-reports:read' } },
      schema: { summary: 'One report schedule', params: IdParams, response: { 200: ScheduleBody, ...failures } },
    },
    async (request) =>
      ok('Report schedule retrieved', {
        schedule: await getSchedule(db, callerOf(request).orgId, int64Param(request.params.schedule_id, 'schedule_id')),
      }),
  );

  app.post(
    base,
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Create a report schedule',
        body: NewScheduleBody,
        response: { 200: ScheduleBody, ...failures },
      },
      attachValidation: true,
      errorHandler: scheduleError('Error creating new schedule'),
    },
    async (request) => {
      const caller = callerOf(request);
      const attrs = (await readScheduleAttrs(db, request.body?.attrs, false, schemaProblems(request, 'attrs'))) as ScheduleAttrs;
      return ok('Report schedule created succesfully', { schedule: await createSchedule(db, caller.orgId, caller.userName, attrs, now()) });
    },
  );

  app.put(
    `${base}/:schedule_id`,
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Change attributes of a report schedule',
        params: IdParams,
        body: ScheduleChangeBody,
        response: { 200: ScheduleBody, ...failures },
      },
      attachValidation: true,
      errorHandler: scheduleError('Error updating schedule'),
    },
    async (request) => {
      const caller = callerOf(request);
      const changes = await readScheduleAttrs(db, request.body?.attrs, true, schemaProblems(request, 'attrs'));
      return ok('Report schedule updated succesfully', {
        schedule: await updateSchedule(db, caller.orgId, int64Param(request.params.schedule_id, 'schedule_id'), changes, now()),
      });
    },
  );

  app.delete(
    '/api/v1/reports/registries',
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Delete report schedules; their tasks stay, with configuration_id 0',
        body: DeleteSchedulesBody,
        response: { 200: Type.Object({ message: Type.String(), status: Type.String() }), ...failures },
      },
      attachValidation: true,
      errorHandler: scheduleError('Error deleting report schedules'),
    },
    async (request) => {
      const problems = schemaProblems(request);
      if (problems.length > 0) throw invalidFields(problems);
      const texts = [...new Set(request.body.schedules_ids.map((id) => readInt64(id, 'schedules_ids')))];
      await deleteSchedules(db, callerOf(request).orgId, texts, MAX_NAMED);
      return ok('Schedules succesfully deleted');
    },
  );

  app.post(
    `${base}/preview`,
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: 'The first runs a schedule of this frequency and time zone would make (an addition to the spec)',
        description:
          `The next ${NEXT_RUNS} runs, as the scheduler computes them, in UTC: a new schedule, or one whose frequency or time zone ` +
          'changes, runs first when the period holding now ends.',
        body: Type.Object({
          schedule: NewScheduleBody.properties.attrs.properties.schedule,
          timezone: NewScheduleBody.properties.attrs.properties.timezone,
        }),
        response: {
          200: Type.Object({ data: Type.Object({ next_runs: NextRuns }), message: Type.String(), status: Type.String() }),
          ...failures,
        },
      },
      errorHandler: scheduleError('Error previewing schedule'),
    },
    async (request) => {
      const { schedule, timezone } = request.body;
      if (!(await isKnownTimeZone(db, timezone))) throw invalid('timezone', `is not a time zone PostgreSQL knows: "${timezone}"`);
      return ok('Next runs of the schedule', { next_runs: await previewRuns(db, schedule, timezone, now()) });
    },
  );

  app.post(
    `${base}/:schedule_id/run`,
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Run a schedule now for its last complete period, as a "send test" would (an addition to the spec)',
        params: IdParams,
        response: {
          200: Type.Object({
            data: Type.Object({ job_id: Type.String(), task_id: Type.Integer() }),
            message: Type.String(),
            status: Type.String(),
          }),
          ...failures,
          429: Failure,
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const scheduleId = int64Param(request.params.schedule_id, 'schedule_id');
      const run = await runScheduleNow(deps, caller.orgId, scheduleId, caller.userName, deps.config.reportMaxUnfinished);
      return ok('Report schedule run started', { job_id: run.jobId, task_id: run.taskId });
    },
  );
};
