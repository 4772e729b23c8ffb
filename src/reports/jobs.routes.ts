import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { callerOf } from '../auth/route-access.ts';
import type { Config } from '../config.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { schemaProblems } from '../validation-errors.ts';
import { MAX_PAGE } from '../shared/paging.ts';
import { withoutNulls } from '../shared/sql.ts';
import { withNanos } from '../shared/timestamps.ts';
import { finishTask } from '../tasks/tasks.queries.ts';
import { readJobRequest, reportTypeParam } from './job-request.ts';
import { JOB_TYPES } from './report-types.ts';
import {
  countUnfinishedJobs,
  createReportJob,
  getReportJob,
  listReportJobs,
  moveReportJob,
  type Enqueue,
  type ReportJobRow,
} from './jobs.queries.ts';
import { downloadName, reportFilePath } from './render.ts';
import { errors, JobEnvelope, JobParams, JobRequestBody, ReportError, TypeParams } from './jobs.schemas.ts';
import { sendReportError } from './reports.errors.ts';
import { CONTENT_TYPES, type ReportFormat } from './writers.ts';

export interface ReportJobRouteDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  now: () => Date;
  enqueue: Enqueue;
}

function jobEnvelope(row: ReportJobRow) {
  const base = `/data/reports/${row.type}`;
  return {
    job: withoutNulls({
      id: row.id,
      type: row.type,
      name: row.name,
      timezone: row.timezone,
      status: row.status,
      format: row.format as ReportFormat,
      timespan: { from: row.span_from_text, to: row.span_to_text },
      created_at: withNanos(row.created_at),
      updated_at: withNanos(row.updated_at),
      finished_at: row.finished_at && withNanos(row.finished_at),
      failure_reason: row.failure_reason,
      file:
        row.status === 'DONE' && row.file_size !== null
          ? { size: Number(row.file_size), rows: Number(row.row_count), expires_at: row.expires_at ? withNanos(row.expires_at) : '' }
          : null,
      task_id: Number(row.task_id),
    }),
    _links: { self: { href: `${base}/jobs/${row.id}` }, files: { href: `${base}/files/${row.id}` } },
  };
}

export const reportJobRoutes: FastifyPluginAsyncTypebox<ReportJobRouteDeps> = async (app, { db, config, now, enqueue }) => {
  app.setErrorHandler(sendReportError);

  /** The caller's job of that type; any other is unknown. A file past its expiry reads as deleted. */
  async function findJob(orgId: string, type: string, id: string): Promise<ReportJobRow> {
    reportTypeParam(type, JOB_TYPES);
    const row = /^\d{1,18}$/.test(id) ? await getReportJob(db, id, orgId) : undefined;
    if (!row || row.type !== type) throw new AppError('not_found', `report job ${id} was not found`);
    if (row.status === 'DONE' && row.expires_at && Date.parse(row.expires_at) <= now().getTime()) {
      await deleteFile(row);
      return (await getReportJob(db, id, orgId))!;
    }
    return row;
  }

  async function deleteFile(row: ReportJobRow) {
    if (await moveReportJob(db, row.id, ['DONE', 'FAILED'], 'DELETED', now(), { file_name: null, expires_at: null })) {
      if (row.file_name) await fs.promises.rm(reportFilePath(config.reportsDir, row.file_name), { force: true });
    }
  }

  app.post(
    '/data/reports/:type/jobs',
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: 'Ask for a report over a time span; a process of the worker role renders it',
        description:
          `\`format\`: csv, json or json_bulk; \`timezone\`: IANA (default UTC); \`timespan.from\` inclusive, \`timespan.to\` exclusive, ` +
          `at most ${config.reportMaxSpanDays} days; at most ${config.reportMaxUnfinished} unfinished jobs per org (429 beyond).`,
        params: TypeParams,
        body: JobRequestBody,
        response: { 202: JobEnvelope, ...errors, 429: ReportError },
      },
      // The schema's errors are told with readJobRequest's, every bad field at once.
      attachValidation: true,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const jobRequest = await readJobRequest(db, request.params.type, request.body, config.reportMaxSpanDays, schemaProblems(request));
      const id = await createReportJob(
        db,
        { orgId: caller.orgId, createdBy: caller.userName, request: jobRequest },
        enqueue,
        config.reportMaxUnfinished,
        now(),
      );
      return reply.code(202).send(jobEnvelope((await getReportJob(db, id))!));
    },
  );

  app.get(
    '/data/reports/:type/jobs/:id',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: 'A report job: 200 while it is not done, 300 to its file once done',
        params: JobParams,
        response: { 200: JobEnvelope, 300: JobEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const row = await findJob(callerOf(request).orgId, request.params.type, request.params.id);
      const body = jobEnvelope(row);
      if (row.status !== 'DONE') return body;
      return reply.code(300).header('location', body._links.files.href).send(body);
    },
  );

  app.get(
    '/data/reports/quota',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: "The org's report job quota: how many jobs may wait at once, how many do, and the longest span",
        description: 'An addition to the report job API, for the console.',
        response: {
          200: Type.Object({
            max_unfinished: Type.Integer({ description: 'REPORT_MAX_UNFINISHED' }),
            unfinished: Type.Integer({ description: "The org's jobs created or processing now" }),
            max_span_days: Type.Integer({ description: 'REPORT_MAX_SPAN_DAYS' }),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      max_unfinished: config.reportMaxUnfinished,
      unfinished: await countUnfinishedJobs(db, callerOf(request).orgId),
      max_span_days: config.reportMaxSpanDays,
    }),
  );

  app.get(
    '/data/reports/:type/jobs',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: "The org's report jobs of this type, newest first",
        params: TypeParams,
        querystring: Type.Object({
          page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 0 })),
          page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        }),
        response: { 200: Type.Object({ count: Type.Integer(), jobs: Type.Array(JobEnvelope) }), ...errors },
      },
    },
    async (request) => {
      const { page = 0, page_size = 20 } = request.query;
      const type = reportTypeParam(request.params.type, JOB_TYPES);
      const { count, rows } = await listReportJobs(db, callerOf(request).orgId, type, page, page_size);
      return { count, jobs: rows.map(jobEnvelope) };
    },
  );

  app.delete(
    '/data/reports/:type/jobs/:id',
    {
      config: { access: { token: 'data-reports:write' } },
      schema: {
        summary: "Cancel an unfinished job, or delete a finished job's file",
        params: JobParams,
        response: { 200: JobEnvelope, ...errors },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const row = await findJob(caller.orgId, request.params.type, request.params.id);
      if (row.status === 'CREATED' || row.status === 'PROCESSING') {
        if (await moveReportJob(db, row.id, ['CREATED', 'PROCESSING'], 'DELETED', now())) {
          await finishTask(db, row.task_id, 'Failed', `cancelled by ${caller.userName}`, now());
        }
      } else {
        await deleteFile(row);
      }
      return jobEnvelope((await getReportJob(db, row.id))!);
    },
  );

  app.get(
    '/data/reports/:type/files/:id',
    {
      config: { access: { token: 'data-reports:read' } },
      schema: {
        summary: "Download a finished job's file",
        params: JobParams,
        response: {
          200: Type.Unsafe<fs.ReadStream>({ type: 'string', format: 'binary', description: 'The file, csv, json or NDJSON' }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const row = await findJob(callerOf(request).orgId, request.params.type, request.params.id);
      if (row.status !== 'DONE' || !row.file_name) {
        throw new AppError('not_found', `report job ${row.id} has no file: it is ${row.status}`);
      }
      const stream = fs.createReadStream(reportFilePath(config.reportsDir, row.file_name));
      return reply
        .type(CONTENT_TYPES[row.format as ReportFormat])
        .header('content-disposition', `attachment; filename="${downloadName(row)}"`)
        .header('content-length', row.file_size)
        .send(stream);
    },
  );
};
