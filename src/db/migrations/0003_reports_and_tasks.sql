-- Report jobs: a report over one org's data in a time span, rendered to a file by a worker.
create table report_jobs (
  id bigint generated always as identity primary key,
  org_id text not null,
  type text not null,
  name text not null,
  timezone text not null,
  format text not null,
  -- The span as asked (local times of `timezone`, or with their offset) and as instants.
  span_from_text text not null,
  span_to_text text not null,
  span_from timestamptz not null,
  span_to timestamptz not null,
  -- CREATED, PROCESSING, DONE, FAILED, DELETED: the spec's spelling, as bodies carry it
  status text not null default 'CREATED',
  failure_reason text,
  attempts integer not null default 0,
  file_name text,
  file_size bigint,
  row_count bigint,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  expires_at timestamptz
);
create index report_jobs_org_idx on report_jobs (org_id, type, id desc);
create index report_jobs_unfinished_idx on report_jobs (org_id) where status in ('CREATED', 'PROCESSING');
create index report_jobs_expiry_idx on report_jobs (expires_at) where status = 'DONE';

-- Each execution of a report job is a task users can list, show and dismiss.
create table tasks (
  id bigint generated always as identity primary key,
  org_id text not null,
  report_job_id bigint not null unique references report_jobs (id) on delete cascade,
  title text not null,
  configuration_id bigint not null default 0,
  configuration_name text not null,
  performed_by text not null,
  started timestamptz not null,
  updated timestamptz not null,
  finished timestamptz,
  -- In Progress, End, Failed, Dismissed
  state text not null default 'In Progress',
  hidden_by text
);
create index tasks_org_idx on tasks (org_id, id desc);

create table task_messages (
  id bigint generated always as identity primary key,
  task_id bigint not null references tasks (id) on delete cascade,
  message text not null,
  time timestamptz not null
);
create index task_messages_task_idx on task_messages (task_id, id);
