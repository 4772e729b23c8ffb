-- On-demand gathering: the rules pipeline's results per (org, cluster, request ID).
-- request_id is the payload tracker's request ID in the same canonical form.
create table gathering_requests (
  id bigint generated always as identity primary key,
  org_id text not null,
  cluster_id uuid not null,
  request_id text not null,
  -- When the cluster gathered the archive (the results' Metadata.gathering_time).
  received timestamptz not null,
  -- When Tracker stored the results; they expire GATHERING_TTL after it.
  processed timestamptz not null,
  unique (org_id, cluster_id, request_id)
);
create index gathering_requests_cluster_idx on gathering_requests (org_id, cluster_id, received desc, id desc);
create index gathering_requests_processed_idx on gathering_requests (processed);

create table gathering_rule_hits (
  gathering_request_id bigint not null references gathering_requests (id) on delete cascade,
  rule_fqdn text not null,
  error_key text not null,
  primary key (gathering_request_id, rule_fqdn, error_key)
);

-- The rule catalogue, replaced whole by `tracker rules import`.
create table rule_content (
  rule_fqdn text not null,
  error_key text not null,
  description text not null,
  total_risk integer not null,
  primary key (rule_fqdn, error_key)
);
