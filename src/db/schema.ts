import type { ColumnType, Generated } from 'kysely';

// int8 columns are strings: both drivers read them as exact text (see type-parsers.ts).

/** Timestamps are written as RFC 3339 text and read back as RFC 3339 UTC with microseconds (see type-parsers.ts). */
type Timestamp = ColumnType<string, string, string>;
/** A timestamp with a default in the table: optional on insert. */
type DefaultedTimestamp = ColumnType<string, string | undefined, string>;

export interface PayloadsTable {
  id: Generated<string>;
  request_id: string;
  account: string | null;
  org_id: string | null;
  inventory_id: string | null;
  system_id: string | null;
  created_at: Timestamp;
}

export interface PayloadStatusesTable {
  id: Generated<string>;
  payload_id: string;
  service: string;
  source: string | null;
  status: string;
  status_msg: string | null;
  status_msg_md5: Generated<string>;
  date: Timestamp;
  created_at: DefaultedTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  token_sha256: Buffer;
  org_id: string;
  user_name: string;
  scopes: string[];
  created_at: DefaultedTimestamp;
  all_orgs: ColumnType<boolean, boolean | undefined, boolean>;
  expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  revoked_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: DefaultedTimestamp;
}

export interface GatheringRequestsTable {
  id: Generated<string>;
  org_id: string;
  cluster_id: string;
  request_id: string;
  received: Timestamp;
  processed: Timestamp;
}

export interface GatheringRuleHitsTable {
  gathering_request_id: string;
  rule_fqdn: string;
  error_key: string;
}

export interface RuleContentTable {
  rule_fqdn: string;
  error_key: string;
  description: string;
  total_risk: number;
}

export type ReportJobStatus = 'CREATED' | 'PROCESSING' | 'DONE' | 'FAILED' | 'DELETED';

export interface ReportJobsTable {
  id: Generated<string>;
  org_id: string;
  type: string;
  name: string;
  timezone: string;
  format: string;
  span_from_text: string;
  span_to_text: string;
  span_from: Timestamp;
  span_to: Timestamp;
  status: Generated<ReportJobStatus>;
  failure_reason: string | null;
  attempts: Generated<number>;
  file_name: string | null;
  file_size: string | null;
  row_count: string | null;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
  expires_at: Timestamp | null;
  schedule_id: string | null;
  hosts: Generated<string[]>;
  services: Generated<string[]>;
  send_to: Generated<string[]>;
}

export interface MailDeliveriesTable {
  report_job_id: string;
  recipient: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface ReportSchedulesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  type: string;
  schedule: string;
  timezone: string;
  hosts: string[];
  services: string[] | null;
  send_to: string[];
  send_via: string;
  format: string;
  scheduled_by: string;
  scheduled_at: Timestamp;
  start_timestamp: Timestamp | null;
  end_timestamp: Timestamp | null;
  next_period_start: string;
  next_run_at: Timestamp;
}

export interface ScheduleRunsTable {
  schedule_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  report_job_id: string;
}

export type TaskState = 'In Progress' | 'End' | 'Failed' | 'Dismissed';

export interface TasksTable {
  id: Generated<string>;
  org_id: string;
  report_job_id: string;
  title: string;
  configuration_id: Generated<string>;
  configuration_name: string;
  performed_by: string;
  started: Timestamp;
  updated: Timestamp;
  finished: Timestamp | null;
  state: Generated<TaskState>;
  hidden_by: string | null;
}

export interface TaskMessagesTable {
  id: Generated<string>;
  task_id: string;
  message: string;
  time: Timestamp;
}

/** Per UTC hour of created_at, a change in the number of payloads (migration 0005). */
export interface PayloadCountsTable {
  hour: Timestamp;
  account: string | null;
  org_id: string | null;
  n: string;
  folded: Generated<boolean>;
}

/** Per UTC hour of date, a change in the number of statuses (migration 0005). */
export interface StatusCountsTable {
  hour: Timestamp;
  service: string;
  source: string | null;
  status: string;
  n: string;
  folded: Generated<boolean>;
}

/** Success and error statuses per minute (migration 0015), for the edge of SuccessRate's window. */
export interface OutcomeCountsTable {
  minute: Timestamp;
  service: string;
  status: string;
  n: string;
  folded: Generated<boolean>;
}

/** Each payload's last status (migration 0010), for the stuck payloads. */
export interface PayloadLatestTable {
  payload_id: string;
  service: string;
  source: string | null;
  status: string;
  date: Timestamp;
}

/** Per last status, a change in the number of payloads that have it (migration 0016). */
export interface LastStatusCountsTable {
  status: string;
  n: string;
  folded: Generated<boolean>;
}

export interface DeadLettersTable {
  id: Generated<string>;
  received_at: DefaultedTimestamp;
  stream: string;
  stream_sequence: string;
  subject: string;
  // pg reads bytea as a Buffer, PGlite as a Uint8Array.
  body: Uint8Array;
  reason: string;
  deliveries: number;
  /** The bus's org, else the one its message names; null when neither is known (migration 0017). */
  org_id: string | null;
  /** When the stream stored the message: with the stream and sequence, names it across a stream made again (0017). */
  published_at: Timestamp | null;
}

export interface Schema {
  payloads: PayloadsTable;
  payload_statuses: PayloadStatusesTable;
  api_tokens: ApiTokensTable;
  schema_migrations: SchemaMigrationsTable;
  gathering_requests: GatheringRequestsTable;
  gathering_rule_hits: GatheringRuleHitsTable;
  rule_content: RuleContentTable;
  report_jobs: ReportJobsTable;
  tasks: TasksTable;
  task_messages: TaskMessagesTable;
  report_schedules: ReportSchedulesTable;
  schedule_runs: ScheduleRunsTable;
  mail_deliveries: MailDeliveriesTable;
  payload_counts: PayloadCountsTable;
  status_counts: StatusCountsTable;
  outcome_counts: OutcomeCountsTable;
  payload_latest: PayloadLatestTable;
  last_status_counts: LastStatusCountsTable;
  dead_letters: DeadLettersTable;
}
