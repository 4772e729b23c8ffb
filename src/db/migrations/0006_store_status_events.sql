-- Ingest as one function call: one round trip per batch instead of five, and a
-- batch is one statement, so atomic without a transaction block. The arrays are
-- the batch's columns, one element per event.

-- Stores a batch; returns how many statuses were new. The batch's payloads are
-- worked out once, in request-ID order; first those not stored yet are created,
-- then come the updates of those whose fields the batch changes: a
-- payload the batch leaves as it is is never locked, so the events of one
-- payload arriving at once (one per request, the usual case) do not queue on its
-- row. Both lock in request-ID order, so concurrent batches cannot deadlock on
-- payloads. Each statement takes a new snapshot (READ COMMITTED), so a later one
-- sees a payload another transaction committed while an earlier one waited.
-- Statuses already stored are skipped.
create function store_status_events(
  request_ids text[], accounts text[], org_ids text[], inventory_ids text[], system_ids text[],
  services text[], sources text[], statuses text[], status_msgs text[], dates timestamptz[]
) returns bigint language plpgsql
as $$
declare
  caller_plan_mode text := current_setting('plan_cache_mode');
  p_request_ids text[];
  p_accounts text[];
  p_org_ids text[];
  p_inventory_ids uuid[];
  p_system_ids uuid[];
  p_created timestamptz[];
  p_ids bigint[];
  stored bigint;
begin
  -- Plans kept from call to call for a few events (planning them cost more than
  -- running them); plans made for the arrays at hand for more, since a generic
  -- plan cannot see their sizes and scans payloads whole.
  perform set_config('plan_cache_mode',
    case when cardinality(request_ids) <= 20 then 'force_generic_plan' else 'force_custom_plan' end, true);

  -- Per request ID: its last non-empty fields and its earliest date.
  select array_agg(request_id order by request_id), array_agg(account order by request_id),
    array_agg(org_id order by request_id), array_agg(inventory_id order by request_id),
    array_agg(system_id order by request_id), array_agg(created_at order by request_id)
  into p_request_ids, p_accounts, p_org_ids, p_inventory_ids, p_system_ids, p_created
  from (
    select request_id,
      (array_agg(account order by ord desc) filter (where account is not null))[1] as account,
      (array_agg(org_id order by ord desc) filter (where org_id is not null))[1] as org_id,
      (array_agg(inventory_id order by ord desc) filter (where inventory_id is not null))[1]::uuid as inventory_id,
      (array_agg(system_id order by ord desc) filter (where system_id is not null))[1]::uuid as system_id,
      min(date) as created_at
    from unnest(request_ids, accounts, org_ids, inventory_ids, system_ids, dates)
      with ordinality as t(request_id, account, org_id, inventory_id, system_id, date, ord)
    group by request_id) batch;

  insert into payloads (request_id, account, org_id, inventory_id, system_id, created_at)
  select * from unnest(p_request_ids, p_accounts, p_org_ids, p_inventory_ids, p_system_ids, p_created)
  on conflict (request_id) do nothing;

  with incoming as (
    select * from unnest(p_request_ids, p_accounts, p_org_ids, p_inventory_ids, p_system_ids, p_created)
      as i(request_id, account, org_id, inventory_id, system_id, created_at)
  ),
  changed as (
    select p.id from payloads p join incoming i on i.request_id = p.request_id
    where p.request_id = any(p_request_ids)
      and (p.account, p.org_id, p.inventory_id, p.system_id, p.created_at) is distinct from (
        coalesce(i.account, p.account), coalesce(i.org_id, p.org_id),
        coalesce(i.inventory_id, p.inventory_id), coalesce(i.system_id, p.system_id),
        least(i.created_at, p.created_at))
    order by p.request_id
    for update of p
  )
  update payloads p set
    account = coalesce(i.account, p.account),
    org_id = coalesce(i.org_id, p.org_id),
    inventory_id = coalesce(i.inventory_id, p.inventory_id),
    system_id = coalesce(i.system_id, p.system_id),
    created_at = least(i.created_at, p.created_at)
  from incoming i, changed c
  where p.id = c.id and i.request_id = p.request_id;

  -- Each payload's ID looked up once, not once per status.
  select array_agg(id order by request_id) into p_ids from payloads where request_id = any(p_request_ids);
  -- Retention may have deleted a payload that had no status left in between: try the batch again.
  if cardinality(p_ids) is distinct from cardinality(p_request_ids) then
    raise exception 'a payload of the batch was deleted while it was stored' using errcode = 'serialization_failure';
  end if;

  insert into payload_statuses (payload_id, service, source, status, status_msg, date)
  select ids.id, t.service, t.source, t.status, t.status_msg, t.date
  from unnest(request_ids, services, sources, statuses, status_msgs, dates)
    as t(request_id, service, source, status, status_msg, date)
  join unnest(p_request_ids, p_ids) as ids(request_id, id) on ids.request_id = t.request_id
  on conflict do nothing;
  get diagnostics stored = row_count;
  perform set_config('plan_cache_mode', caller_plan_mode, true);
  return stored;
end $$;
