-- Exact counts for the list pages without counting millions of rows each time.
-- Per UTC hour, how many payloads there are by (created_at, account, org_id) and
-- how many statuses by (date, service, source, status). Triggers append one delta
-- row per group for every statement that changes a base table, in the same
-- transaction, so the counts are always exact; appending (never updating a shared
-- counter row) means concurrent ingests never wait on one another. The upkeep
-- folds the deltas of each hour into one row now and then (src/payloads/counts.ts).
-- A count is the sum over whole hours plus the rows of the partial hours at the
-- edges of a time filter, counted from the base table's index.
create function count_hour(t timestamptz) returns timestamptz
  language sql immutable parallel safe
  return date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00');

create table payload_counts (
  hour timestamptz not null,
  account text,
  org_id text,
  n bigint not null,
  folded boolean not null default false
);
create index payload_counts_hour_idx on payload_counts (hour);
create index payload_counts_account_idx on payload_counts (account, hour);
create index payload_counts_org_id_idx on payload_counts (org_id, hour);
create index payload_counts_unfolded_idx on payload_counts (hour) where not folded;

create table status_counts (
  hour timestamptz not null,
  service text not null,
  source text,
  status text not null,
  n bigint not null,
  folded boolean not null default false
);
create index status_counts_hour_idx on status_counts (hour);
create index status_counts_service_status_idx on status_counts (service, status, hour);
create index status_counts_unfolded_idx on status_counts (hour) where not folded;

-- Statement-level triggers see every changed row at once in their transition
-- tables, so a batch of a thousand rows appends a handful of grouped deltas.
create function count_payload_changes() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into payload_counts (hour, account, org_id, n)
    select count_hour(created_at), account, org_id, count(*) from new_rows group by 1, 2, 3;
  elsif tg_op = 'DELETE' then
    insert into payload_counts (hour, account, org_id, n)
    select count_hour(created_at), account, org_id, -count(*) from old_rows group by 1, 2, 3;
  -- An upsert fires the update trigger whether it updated anything or not.
  elsif exists (select from old_rows) then
    insert into payload_counts (hour, account, org_id, n)
    select hour, account, org_id, sum(n) from (
      select count_hour(created_at) as hour, account, org_id, 1 as n from new_rows
      union all
      select count_hour(created_at), account, org_id, -1 from old_rows) changes
    group by 1, 2, 3 having sum(n) <> 0;
  end if;
  return null;
end $$;

create trigger payloads_counted_on_insert after insert on payloads
  referencing new table as new_rows for each statement execute function count_payload_changes();
create trigger payloads_counted_on_update after update on payloads
  referencing old table as old_rows new table as new_rows for each statement execute function count_payload_changes();
create trigger payloads_counted_on_delete after delete on payloads
  referencing old table as old_rows for each statement execute function count_payload_changes();

-- Statuses are never updated; dropped partitions take their counts with them
-- (PartitionKeeper.dropBefore), since dropping a table fires no trigger.
create function count_status_changes() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into status_counts (hour, service, source, status, n)
    select count_hour(date), service, source, status, count(*) from new_rows group by 1, 2, 3, 4;
  else
    insert into status_counts (hour, service, source, status, n)
    select count_hour(date), service, source, status, -count(*) from old_rows group by 1, 2, 3, 4;
  end if;
  return null;
end $$;

create trigger payload_statuses_counted_on_insert after insert on payload_statuses
  referencing new table as new_rows for each statement execute function count_status_changes();
create trigger payload_statuses_counted_on_delete after delete on payload_statuses
  referencing old table as old_rows for each statement execute function count_status_changes();

-- Rows stored before this migration.
insert into payload_counts (hour, account, org_id, n)
select count_hour(created_at), account, org_id, count(*) from payloads group by 1, 2, 3;
insert into status_counts (hour, service, source, status, n)
select count_hour(date), service, source, status, count(*) from payload_statuses group by 1, 2, 3, 4;
