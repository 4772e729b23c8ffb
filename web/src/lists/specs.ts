import type { ListSpec } from './list-search.ts';

// What each list of the payload tracker sorts and filters by: the routes read
// their URLs with these, and the pages (loaded later, in chunks of their own) show them.

export type PayloadSort = 'created_at' | 'request_id' | 'account' | 'org_id' | 'inventory_id' | 'system_id';
export type PayloadFilter = 'account' | 'org_id' | 'inventory_id' | 'system_id' | 'last_status';

export const PAYLOAD_LIST: ListSpec<PayloadSort, PayloadFilter> = {
  endpoint: '/v1/payloads',
  timeField: 'created_at',
  sorts: ['created_at', 'request_id', 'account', 'org_id', 'inventory_id', 'system_id'],
  defaultSort: 'created_at',
  filters: ['account', 'org_id', 'inventory_id', 'system_id', 'last_status'],
};

export type StatusSort = 'date' | 'created_at' | 'service' | 'source' | 'request_id' | 'status' | 'status_msg';
export type StatusFilter = 'request_id' | 'service' | 'source' | 'status' | 'status_msg';

export const STATUS_LIST: ListSpec<StatusSort, StatusFilter> = {
  endpoint: '/v1/statuses',
  timeField: 'date',
  sorts: ['date', 'created_at', 'service', 'source', 'request_id', 'status', 'status_msg'],
  defaultSort: 'date',
  filters: ['request_id', 'service', 'source', 'status', 'status_msg'],
};

export type StuckSort = 'last_date' | 'created_at' | 'request_id' | 'last_service';
export type StuckFilter = 'service' | 'account' | 'org_id' | 'stuck_after';

export const STUCK_LIST: ListSpec<StuckSort, StuckFilter> = {
  endpoint: '/v1/stuck-payloads',
  timeField: 'created_at',
  sorts: ['last_date', 'created_at', 'request_id', 'last_service'],
  defaultSort: 'last_date',
  defaultDir: 'asc',
  filters: ['service', 'account', 'org_id', 'stuck_after'],
};

export type DeadLetterSort = 'received_at';
export type DeadLetterFilter = 'reason' | 'subject';

export const DEAD_LETTER_LIST: ListSpec<DeadLetterSort, DeadLetterFilter> = {
  endpoint: '/v1/dead-letters',
  timeField: 'received_at',
  sorts: ['received_at'],
  defaultSort: 'received_at',
  filters: ['reason', 'subject'],
};
