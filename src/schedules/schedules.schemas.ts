import { Type } from 'typebox';
import { JOB_TYPES } from '../reports/report-types.ts';
import { REPORT_FORMATS } from '../reports/writers.ts';
import { Int64Id } from '../shared/int64.ts';

export const FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const NextRuns = Type.Array(Type.String({ format: 'date-time' }), {
  description: "The next five runs, RFC 3339 in UTC: each period runs when it ends in the schedule's zone",
});

export const Schedule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String({ description: 'statuses, payloads, success-rate or generic' }),
  schedule: Type.String({ description: 'daily, weekly or monthly' }),
  timezone: Type.String(),
  hosts: Type.Array(Type.String()),
  services: Type.Union([Type.Array(Type.String()), Type.Null()]),
  send_to: Type.Array(Type.String()),
  send_via: Type.String(),
  format: Type.String({ description: 'csv, json or json_bulk (an addition to the spec; default csv)' }),
  scheduled_by: Type.String(),
  scheduled_at: Type.Integer({ description: 'UNIX microseconds' }),
  start_timestamp: Type.Union([Type.Integer(), Type.Null()], { description: 'first run, UNIX microseconds' }),
  end_timestamp: Type.Union([Type.Integer(), Type.Null()], { description: 'last run, UNIX microseconds' }),
  next_runs: NextRuns,
  last_task: Type.Union(
    [
      Type.Object({
        task_id: Type.Integer(),
        state: Type.String({ description: 'In Progress, End, Failed or Dismissed' }),
        started: Type.String({ format: 'date-time' }),
        finished: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      }),
      Type.Null(),
    ],
    { description: 'The last run, scheduled or run now, as its task tells it; null before the first (an addition to the spec)' },
  ),
});

export const Failure = Type.Object({
  message: Type.String(),
  status: Type.String(),
  errors: Type.Optional(
    Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }), {
      description: 'Each bad field of a refused request, as the message names them (an addition to the spec)',
    }),
  ),
});
export const failures = { 400: Failure, 401: Failure, 403: Failure, 404: Failure };
export const ScheduleBody = Type.Object({ data: Type.Object({ schedule: Schedule }), message: Type.String(), status: Type.String() });
export const IdParams = Type.Object({ schedule_id: Type.String() });

/** Most recipients a schedule mails, and most hosts or services it names. */
export const MAX_RECIPIENTS = 50;
export const MAX_LIST = 1000;
/** Most schedules one request may delete. */
export const MAX_DELETED = 1000;

/** An RFC 1123 host name (dot-separated labels of letters, digits and inner hyphens); a UUID is one too. */
const HOST_NAME = '^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$';
const EMAIL = '^[^\\s@,;<>"]+@[^\\s@,;<>"]+\\.[^\\s@,;<>"]+$';
const NOT_BLANK = '\\S';

const attrProperties = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: NOT_BLANK, description: 'a name that is not only white space' }),
  type: Type.Enum([...JOB_TYPES]),
  schedule: Type.Enum([...FREQUENCIES]),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'an IANA time zone name such as Europe/Rome' }),
  hosts: Type.Union(
    [
      Type.Array(Type.String({ pattern: HOST_NAME, description: 'a host name, or an inventory, system or cluster ID (a UUID)' }), {
        maxItems: MAX_LIST,
      }),
      Type.Null(),
    ],
    { description: 'IDs filter the report; host names are reported as found or not' },
  ),
  services: Type.Union([
    Type.Array(Type.String({ minLength: 1, maxLength: 128, pattern: NOT_BLANK, description: 'a service name' }), { maxItems: MAX_LIST }),
    Type.Null(),
  ]),
  send_to: Type.Array(Type.String({ maxLength: 254, pattern: EMAIL, description: 'an e-mail address' }), {
    minItems: 1,
    maxItems: MAX_RECIPIENTS,
  }),
  send_via: Type.Enum(['email']),
  format: Type.Enum([...REPORT_FORMATS]),
};

const EXAMPLE = {
  name: 'one_shot_generic',
  type: 'generic',
  schedule: 'daily',
  timezone: 'Europe/Rome',
  hosts: ['www.service-test-host.it'],
  send_to: ['test@test.it'],
  send_via: 'email',
};

/** A new schedule's attributes: the spec's five required, the rest defaulted. */
export const NewScheduleBody = Type.Object(
  {
    attrs: Type.Object(
      {
        ...attrProperties,
        hosts: Type.Optional(attrProperties.hosts),
        services: Type.Optional(attrProperties.services),
        send_via: Type.Optional(attrProperties.send_via),
        format: Type.Optional(attrProperties.format),
      },
      { additionalProperties: false },
    ),
  },
  { examples: [{ attrs: EXAMPLE }] },
);

/** A change to a schedule: any of its attributes, at least one. */
export const ScheduleChangeBody = Type.Object(
  { attrs: Type.Partial(Type.Object(attrProperties), { additionalProperties: false, minProperties: 1 }) },
  { examples: [{ attrs: { schedule: 'weekly', send_to: ['ops@example.com'] } }] },
);

export const DeleteSchedulesBody = Type.Object({
  schedules_ids: Type.Array(Int64Id('a schedule ID: a whole number'), { minItems: 1, maxItems: MAX_DELETED }),
});

export const ListQuery = Type.Object({
  paginate: Type.Optional(Type.String({ description: 'true or false; required' })),
  page: Type.Optional(Type.String({ description: 'from 1; required when paginate is true' })),
  page_size: Type.Optional(Type.String({ description: '1 to 100; required when paginate is true' })),
  id: Type.Optional(Type.String()),
  id_list: Type.Optional(Type.String({ description: 'comma-separated schedule IDs' })),
  name: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  schedule: Type.Optional(Type.String()),
  scheduled_at_start: Type.Optional(Type.String({ description: 'UNIX microseconds' })),
  scheduled_at_end: Type.Optional(Type.String({ description: 'UNIX microseconds' })),
  scheduled_by_end: Type.Optional(Type.String({ description: 'the spec name of scheduled_at_end' })),
  scheduled_by: Type.Optional(Type.String()),
});
