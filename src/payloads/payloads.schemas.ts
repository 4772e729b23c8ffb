import { Type } from 'typebox';
import { MAX_PAGE } from '../shared/paging.ts';
import { ErrorBody } from '../shared/platform-errors.ts';

export const errorResponses = { 400: ErrorBody, 404: ErrorBody, 500: ErrorBody };

const DateTimeFilter = Type.String({ description: 'RFC 3339 date-time; without an offset, UTC' });
const Text = (description: string) => Type.String({ description });

// Parameters with a default are optional to callers (and in the OpenAPI document);
// validation fills the default in, so handlers always see a value.
export const paging = (maxPageSize: number) => ({
  page: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 0, description: 'A page number within the paginated result set, from 0' }),
  ),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize, default: 10, description: 'Size of the page' })),
});

export const PAYLOAD_SORT_FIELDS = ['request_id', 'account', 'org_id', 'inventory_id', 'system_id', 'created_at'] as const;
export const STATUS_SORT_FIELDS = ['service', 'source', 'request_id', 'status', 'status_msg', 'date', 'created_at'] as const;
// The payload's own fields are the same on every row: sorting by one keeps the order by id (migration 0008).
export const PAYLOAD_STATUS_SORT_FIELDS = [
  'service',
  'source',
  'status',
  'status_msg',
  'date',
  'created_at',
  'request_id',
  'account',
  'org_id',
  'inventory_id',
  'system_id',
] as const;

/** The filters of the payload list, which the stuck payloads take too. */
export const payloadFilters = {
  account: Type.Optional(Text('filter for account')),
  org_id: Type.Optional(Text('filter for org_id')),
  inventory_id: Type.Optional(Text('filter for inventory_id (a UUID)')),
  system_id: Type.Optional(Text('filter for system_id (a UUID)')),
  last_status: Type.Optional(Text("filter for the payload's last status, by date (an addition to the spec)")),
  created_at_lt: Type.Optional(DateTimeFilter),
  created_at_lte: Type.Optional(DateTimeFilter),
  created_at_gt: Type.Optional(DateTimeFilter),
  created_at_gte: Type.Optional(DateTimeFilter),
};

export const payloadListQuery = (maxPageSize: number) =>
  Type.Object({
    ...paging(maxPageSize),
    sort_by: Type.Optional(Type.Enum([...PAYLOAD_SORT_FIELDS], { default: 'created_at', description: 'Attribute to sort results by' })),
    sort_dir: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'desc', description: 'Direction to sort' })),
    ...payloadFilters,
  });

/** For the type of the payload filters as validated. */
export const payloadFilterQuery = Type.Object(payloadFilters);

export const statusListQuery = (maxPageSize: number) =>
  Type.Object({
    ...paging(maxPageSize),
    sort_by: Type.Optional(Type.Enum([...STATUS_SORT_FIELDS], { default: 'date', description: 'Attribute to sort results by' })),
    sort_dir: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'desc', description: 'Direction to sort' })),
    request_id: Type.Optional(Text('filter for the payload: its request ID (an addition to the spec)')),
    service: Type.Optional(Text('filter for service')),
    source: Type.Optional(Text('filter for source')),
    status: Type.Optional(Text('filter for status')),
    status_msg: Type.Optional(Text('filter for status_msg (exact)')),
    date_lt: Type.Optional(DateTimeFilter),
    date_lte: Type.Optional(DateTimeFilter),
    date_gt: Type.Optional(DateTimeFilter),
    date_gte: Type.Optional(DateTimeFilter),
    created_at_lt: Type.Optional(DateTimeFilter),
    created_at_lte: Type.Optional(DateTimeFilter),
    created_at_gt: Type.Optional(DateTimeFilter),
    created_at_gte: Type.Optional(DateTimeFilter),
  });

export const RequestIdParams = Type.Object({
  request_id: Type.String({ description: 'A unique value identifying this payload: 32 hex digits or a UUID' }),
});

export const payloadDetailQuery = Type.Object({
  sort_by: Type.Optional(Type.Enum([...PAYLOAD_STATUS_SORT_FIELDS], { default: 'date', description: 'Attribute to sort results by' })),
  sort_dir: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'asc', description: 'Direction to sort' })),
  verbosity: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 2,
      default: 0,
      description: '0: every field; 1: service, source, status, status_msg, inventory_id, date; 2: service, status, date',
    }),
  ),
});

const DateTime = Type.String({ format: 'date-time' });

export const Payload = Type.Object({
  id: Type.Integer(),
  request_id: Type.String(),
  account: Type.Optional(Type.String()),
  org_id: Type.Optional(Type.String()),
  inventory_id: Type.Optional(Type.String({ format: 'uuid' })),
  system_id: Type.Optional(Type.String({ format: 'uuid' })),
  created_at: DateTime,
});

export const PayloadList = Type.Object({
  count: Type.Integer({ description: 'Total number of payloads with filters only' }),
  elapsed: Type.Number({ description: 'Total elapsed time in seconds of API request' }),
  data: Type.Array(Payload),
});

export const StatusListItem = Type.Object({
  id: Type.String(),
  service: Type.String(),
  source: Type.Optional(Type.String()),
  request_id: Type.String(),
  status: Type.String(),
  status_msg: Type.Optional(Type.String()),
  date: DateTime,
  created_at: DateTime,
});

export const StatusList = Type.Object({
  count: Type.Integer({ description: 'Total number of statuses with filters only' }),
  elapsed: Type.Number({ description: 'Total elapsed time in seconds of API request' }),
  data: Type.Array(StatusListItem),
});

export const PayloadStatus = Type.Object({
  id: Type.Optional(Type.Integer()),
  service: Type.String(),
  source: Type.Optional(Type.String()),
  account: Type.Optional(Type.String()),
  org_id: Type.Optional(Type.String()),
  request_id: Type.Optional(Type.String()),
  inventory_id: Type.Optional(Type.String()),
  system_id: Type.Optional(Type.String()),
  status: Type.String(),
  status_msg: Type.Optional(Type.String()),
  date: Type.Optional(DateTime),
  created_at: Type.Optional(DateTime),
});

export const PayloadDetail = Type.Object({
  data: Type.Array(PayloadStatus),
  duration: Type.Record(Type.String(), Type.String(), {
    description:
      'Time in each service, keyed "service:source" ("undefined" without a source), plus ' +
      'total_time_in_services and total_time; each "HH:MM:SS.ffffff"',
  }),
});

export const StatsQuery = Type.Object({
  stat: Type.Optional(Type.String({ description: 'Stat to use: SuccessRate (the default)' })),
});

const ServiceRate = Type.Object({
  success: Type.Integer(),
  error: Type.Integer(),
  success_percent: Type.Number(),
  error_percent: Type.Number(),
});

export const SuccessRate = Type.Object({
  message: Type.String(),
  data: Type.Record(Type.String(), ServiceRate, { description: 'Per service' }),
});
