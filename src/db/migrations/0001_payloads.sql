-- Payloads and their status events. Request IDs are stored in canonical form
-- (see src/shared/request-id.ts); times are timestamptz with microseconds.
create table payloads (
  id bigint generated always as identity primary key,
  request_id text not null unique,
  account text,
  org_id text,
  inventory_id uuid,
  system_id uuid,
  created_at timestamptz not null
);

-- Every index ends with id so that a sort on it is stable and served from the index.
create index payloads_created_at_idx on payloads (created_at, id);
create index payloads_account_idx on payloads (account, created_at, id);
create index payloads_org_id_idx on payloads (org_id, created_at, id);
create index payloads_inventory_id_idx on payloads (inventory_id, created_at, id);
create index payloads_system_id_idx on payloads (system_id, created_at, id);

-- Partitioned by day on `date` so that retention is a partition drop. No foreign
-- key to payloads: it cost a third of ingest throughput (DESIGN.md), and rows are
-- only ever written together with their payload.
create sequence payload_statuses_id_seq as bigint;
create table payload_statuses (
  id bigint not null default nextval('payload_statuses_id_seq'),
  payload_id bigint not null,
  service text not null,
  source text,
  status text not null,
  status_msg text,
  -- status_msg can be a long traceback: the dedup key uses its digest instead.
  status_msg_md5 uuid not null generated always as (md5(coalesce(status_msg, ''))::uuid) stored,
  date timestamptz not null,
  created_at timestamptz not null default now()
) partition by range (date);
alter sequence payload_statuses_id_seq owned by payload_statuses.id;

-- The same event delivered twice is stored once. It also serves the lookup of a payload's statuses.
create unique index payload_statuses_dedup_idx
  on payload_statuses (payload_id, service, source, status, status_msg_md5, date) nulls not distinct;
create index payload_statuses_date_idx on payload_statuses (date, id);
create index payload_statuses_service_status_idx on payload_statuses (service, status, date, id);

-- Callers authenticate with bearer tokens; only a SHA-256 digest of each is kept.
create table api_tokens (
  id bigint generated always as identity primary key,
  token_sha256 bytea not null unique,
  org_id text not null,
  user_name text not null,
  scopes text[] not null,
  created_at timestamptz not null default now()
);
