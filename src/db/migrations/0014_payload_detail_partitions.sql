-- A payload's detail read only the daily partitions after its first status
-- date, every one of them up to today (about 36 index probes for a payload of
-- one day, more as retention grows). Its last status date is kept already
-- (payload_latest, 0010): with both bounds as parameters, PostgreSQL removes
-- every partition outside them at execution (EXPLAIN: "Subplans Removed").
-- Otherwise as 0008.
create or replace function payload_detail(wanted text, sort_by text, descending boolean)
returns table (
  request_id text, account text, org_id text, inventory_id text, system_id text,
  id text, service text, source text, status text, status_msg text, date text, created_at text, date_us text
) language plpgsql stable
set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
declare
  first_status_at timestamptz;
  last_status_at timestamptz;
begin
  -- The payload's statuses lie between its first date (created_at) and its
  -- last (payload_latest): as parameters, these let PostgreSQL open only the
  -- partitions in between.
  select p.created_at, l.date into first_status_at, last_status_at
  from payloads p left join payload_latest l on l.payload_id = p.id
  where p.request_id = wanted;

  return query
  select p.request_id, p.account, p.org_id, p.inventory_id::text, p.system_id::text,
    s.id::text, s.service, s.source, s.status, s.status_msg,
    to_char(s.date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ((extract(epoch from s.date) * 1000000)::bigint)::text
  from payloads p
  left join lateral (
    select * from payload_statuses x
    where x.payload_id = p.id and x.date between first_status_at and coalesce(last_status_at, 'infinity')
  ) s on true
  where p.request_id = wanted
  order by
    case when sort_by = 'date' and not descending then s.date end,
    case when sort_by = 'date' and descending then s.date end desc,
    case when sort_by = 'created_at' and not descending then s.created_at end,
    case when sort_by = 'created_at' and descending then s.created_at end desc,
    case when sort_by = 'service' and not descending then s.service end,
    case when sort_by = 'service' and descending then s.service end desc,
    case when sort_by = 'source' and not descending then s.source end,
    case when sort_by = 'source' and descending then s.source end desc nulls last,
    case when sort_by = 'status' and not descending then s.status end,
    case when sort_by = 'status' and descending then s.status end desc,
    case when sort_by = 'status_msg' and not descending then s.status_msg end,
    case when sort_by = 'status_msg' and descending then s.status_msg end desc nulls last,
    case when not descending then s.id end,
    case when descending then s.id end desc;
end $$;
