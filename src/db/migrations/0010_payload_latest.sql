-- Each payload's last status, for the stuck payloads (GET /v1/stuck-payloads):
-- finding every payload's last status among all statuses would read them all.
-- Kept by statement triggers, as the counts of 0005 are, so that the ingest
-- function stays as it is; a status dated later replaces an earlier one (ties:
-- the one stored last). Rows go in payload-ID order, so concurrent batches lock
-- them in the same order and cannot deadlock.
create table payload_latest (
  payload_id bigint primary key,
  service text not null,
  source text,
  status text not null,
  date timestamptz not null
);
-- Stuck payloads are read per non-terminal status, oldest first, and counted
-- per service from this index alone.
create index payload_latest_status_idx on payload_latest (status, date, payload_id) include (service);

create function keep_latest_status() returns trigger language plpgsql as $$
begin
  insert into payload_latest (payload_id, service, source, status, date)
  select distinct on (payload_id) payload_id, service, source, status, date
  from new_rows order by payload_id, date desc, id desc
  on conflict (payload_id) do update
    set service = excluded.service, source = excluded.source, status = excluded.status, date = excluded.date
    where excluded.date >= payload_latest.date;
  return null;
end $$;

create trigger payload_statuses_latest_on_insert after insert on payload_statuses
  referencing new table as new_rows for each statement execute function keep_latest_status();

-- Retention deletes a payload once its statuses are gone; its last status goes with it.
create function forget_latest_status() returns trigger language plpgsql as $$
begin
  delete from payload_latest where payload_id in (select id from old_rows);
  return null;
end $$;

create trigger payloads_latest_on_delete after delete on payloads
  referencing old table as old_rows for each statement execute function forget_latest_status();

-- Statuses stored before this migration.
insert into payload_latest (payload_id, service, source, status, date)
select distinct on (payload_id) payload_id, service, source, status, date
from payload_statuses order by payload_id, date desc, id desc;
