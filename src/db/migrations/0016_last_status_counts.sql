-- GET /v1/payloads?last_status=… counted the payloads with that last status
-- from payload_latest's index: exact, but linear in the payloads kept (1.5 s at
-- 10 M). Now a trigger on payload_latest appends, per statement, one delta row
-- per last status it changed, as the counts of 0005 do, and the count is the
-- sum of a status's rows; the upkeep folds them (src/payloads/counts.ts).
-- The trigger is on payload_latest itself, not on the statuses: its transition
-- tables hold the rows the upsert of 0010 actually replaced, as they were when
-- it locked them, so batches racing for one payload count each change once.
create table last_status_counts (
  status text not null,
  n bigint not null,
  folded boolean not null default false
);
create index last_status_counts_status_idx on last_status_counts (status);

create function count_last_status_changes() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into last_status_counts (status, n) select status, count(*) from new_rows group by 1;
  elsif tg_op = 'DELETE' then
    insert into last_status_counts (status, n) select status, -count(*) from old_rows group by 1;
  -- An upsert fires the update trigger whether it updated anything or not.
  elsif exists (select from old_rows) then
    insert into last_status_counts (status, n)
    select status, sum(n) from (
      select status, 1 as n from new_rows
      union all
      select status, -1 from old_rows) changes
    group by 1 having sum(n) <> 0;
  end if;
  return null;
end $$;

create trigger payload_latest_counted_on_insert after insert on payload_latest
  referencing new table as new_rows for each statement execute function count_last_status_changes();
create trigger payload_latest_counted_on_update after update on payload_latest
  referencing old table as old_rows new table as new_rows for each statement execute function count_last_status_changes();
create trigger payload_latest_counted_on_delete after delete on payload_latest
  referencing old table as old_rows for each statement execute function count_last_status_changes();

-- Last statuses kept before this migration.
insert into last_status_counts (status, n, folded)
select status, count(*), true from payload_latest group by 1;
