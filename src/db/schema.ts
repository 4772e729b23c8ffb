import type { ColumnType, Generated } from 'kysely';

/** Timestamps are written as RFC 3339 text and read back through `rfc3339()` in SQL. */
type Timestamp = ColumnType<string, string, string>;

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
  created_at: Generated<Timestamp>;
}

export interface ApiTokensTable {
  id: Generated<string>;
  token_sha256: Buffer;
  org_id: string;
  user_name: string;
  scopes: string[];
  created_at: Generated<Timestamp>;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<Timestamp>;
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

export interface Schema {
  payloads: PayloadsTable;
  payload_statuses: PayloadStatusesTable;
  api_tokens: ApiTokensTable;
  schema_migrations: SchemaMigrationsTable;
  gathering_requests: GatheringRequestsTable;
  gathering_rule_hits: GatheringRuleHitsTable;
  rule_content: RuleContentTable;
}
