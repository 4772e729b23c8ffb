import { Type } from 'typebox';
import { REPORT_FORMATS } from './writers.ts';

export const ReportError = Type.Object({
  code: Type.String(),
  message: Type.String(),
  description: Type.String(),
  fields: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
});
export const errors = { 400: ReportError, 401: ReportError, 403: ReportError, 404: ReportError };

export const Link = Type.Object({ href: Type.String() });
export const Job = Type.Object({
  id: Type.String(),
  type: Type.String(),
  name: Type.String(),
  timezone: Type.String({ description: 'IANA time zone the timespan and the times in the file are in' }),
  status: Type.Enum(['CREATED', 'PROCESSING', 'DONE', 'FAILED', 'DELETED']),
  format: Type.Enum([...REPORT_FORMATS]),
  timespan: Type.Object({ from: Type.String(), to: Type.String() }),
  created_at: Type.String(),
  updated_at: Type.String(),
  finished_at: Type.Optional(Type.String()),
  failure_reason: Type.Optional(Type.String()),
  file: Type.Optional(Type.Object({ size: Type.Integer(), rows: Type.Integer(), expires_at: Type.String() })),
  task_id: Type.Integer(),
});
export const JobEnvelope = Type.Object({ job: Job, _links: Type.Object({ self: Link, files: Link }) });
export const TypeParams = Type.Object({ type: Type.String({ description: 'statuses, payloads or success-rate' }) });
export const JobParams = Type.Object({ type: Type.String(), id: Type.String() });

/** A report job request; readJobRequest reads the dates, the zone and the span. */
export const JobRequestBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'a name that is not only white space' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'an IANA time zone name; UTC when absent' })),
    format: Type.Enum([...REPORT_FORMATS]),
    timespan: Type.Object({
      from: Type.String({ description: 'inclusive: a date or date-time, with an offset or in the report time zone' }),
      to: Type.String({ description: 'exclusive: a date or date-time, with an offset or in the report time zone' }),
    }),
  },
  { examples: [{ name: 'November', format: 'csv', timezone: 'Europe/Rome', timespan: { from: '2026-11-01', to: '2026-12-01' } }] },
);
