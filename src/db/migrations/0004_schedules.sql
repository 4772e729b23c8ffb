-- Report schedules: a report every day, week or month in the schedule's time zone, mailed to recipients.
create table report_schedules (
  id bigint generated always as identity primary key,
  org_id text not null,
  name text not null,
  type text not null,
  schedule text not null,
  timezone text not null,
  hosts text[] not null default '{}',
  -- null means every service
  services text[],
  send_to text[] not null,
  send_via text not null default 'email',
  format text not null default 'csv',
  scheduled_by text not null,
  scheduled_at timestamptz not null,
  start_timestamp timestamptz,
  end_timestamp timestamptz,
  -- The next period to run, as a wall-clock time of `timezone`, and the instant it is due (its end).
  next_period_start timestamp not null,
  next_run_at timestamptz not null
);
create index report_schedules_org_idx on report_schedules (org_id, id);
create index report_schedules_due_idx on report_schedules (next_run_at);

-- One row per schedule and period: the unique key makes a period run once, however many workers race.
create table schedule_runs (
  schedule_id bigint not null references report_schedules (id) on delete cascade,
  period_start timestamptz not null,
  period_end timestamptz not null,
  report_job_id bigint not null references report_jobs (id) on delete cascade,
  primary key (schedule_id, period_start)
);

-- A job (and so its task) remembers the schedule it ran for; deleting the schedule keeps the history.
alter table report_jobs add column schedule_id bigint references report_schedules (id) on delete set null;
-- What a scheduled report is narrowed to: systems (inventory, system or cluster IDs) and services; empty means all.
alter table report_jobs add column hosts text[] not null default '{}';
alter table report_jobs add column services text[] not null default '{}';
-- Who a scheduled report is mailed to, copied from the schedule when the run starts.
alter table report_jobs add column send_to text[] not null default '{}';

-- One row per recipient of a report's mail: the run ends when every row has its outcome.
create table mail_deliveries (
  report_job_id bigint not null references report_jobs (id) on delete cascade,
  recipient text not null,
  -- pending, sent, failed
  status text not null default 'pending',
  attempts integer not null default 0,
  last_error text,
  primary key (report_job_id, recipient)
);
