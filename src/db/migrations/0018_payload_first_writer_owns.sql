-- The first writer owns a payload, and the database enforces it. Two
-- producers bound to different orgs posting the same new request ID at once
-- both passed the check made before the write (132 of 150 such pairs were
-- both stored) and the later one moved the payload into its org (70 of 150).
-- Now a payload's org, once set, is never changed by a later event, and the
-- events of an org-bound writer (owner_orgs, null for a writer of every org)
-- fail the call with SQLSTATE TKORG, naming the payloads, when another org
-- holds them. Within one call too, the first org an event names for a new
-- payload is its org (group commit puts several requests in one call, and
-- which of them owns a payload must not depend on that). Otherwise as 0013.
-- The 11-argument form stays, as a writer of every org, for processes of the
-- previous version still running during a rolling deploy.

create or replace function store_status_events(
  request_ids text[], accounts text[], org_ids text[], inventory_ids text[], system_ids text[],
  services text[], sources text[], statuses text[], status_msgs text[], dates timestamptz[],
  groups int[], owner_orgs text[]
) returns bigint[] language plpgsql
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
  stored_per_group bigint[];
  foreign_ids text[];
begin
  -- Plans kept from call to call up to 128 events (planning them cost more than
  -- running them); plans made for the arrays at hand beyond, where a generic
  -- plan, blind to their sizes, runs slower than planning anew.
  perform set_config('plan_cache_mode',
    case when cardinality(request_ids) <= 128 then 'force_generic_plan' else 'force_custom_plan' end, true);

  -- Per request ID: its last non-empty fields and its earliest date.
  select array_agg(request_id order by request_id), array_agg(account order by request_id),
    array_agg(org_id order by request_id), array_agg(inventory_id order by request_id),
    array_agg(system_id order by request_id), array_agg(created_at order by request_id)
  into p_request_ids, p_accounts, p_org_ids, p_inventory_ids, p_system_ids, p_created
  from (
    select request_id,
      (array_agg(account order by ord desc) filter (where account is not null))[1] as account,
      (array_agg(org_id order by ord) filter (where org_id is not null))[1] as org_id,
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
        coalesce(i.account, p.account), coalesce(p.org_id, i.org_id),
        coalesce(i.inventory_id, p.inventory_id), coalesce(i.system_id, p.system_id),
        least(i.created_at, p.created_at))
    order by p.request_id
    for update of p
  )
  update payloads p set
    account = coalesce(i.account, p.account),
    org_id = coalesce(p.org_id, i.org_id),
    inventory_id = coalesce(i.inventory_id, p.inventory_id),
    system_id = coalesce(i.system_id, p.system_id),
    created_at = least(i.created_at, p.created_at)
  from incoming i, changed c
  where p.id = c.id and i.request_id = p.request_id;

  -- An org-bound writer's event (owner_orgs) for a payload another org holds
  -- fails the call. A concurrent writer's new payload is seen here: its insert
  -- above waited for that writer to commit, and this statement reads after it.
  if owner_orgs is not null then
    select array_agg(distinct t.request_id) into foreign_ids
    from unnest(request_ids, owner_orgs) as t(request_id, owner_org)
    join payloads p on p.request_id = t.request_id
    where t.owner_org is not null and p.org_id is distinct from t.owner_org;
    if foreign_ids is not null then
      raise exception 'payloads of another org: %', array_to_string(foreign_ids, ' ')
        using errcode = 'TKORG', detail = array_to_string(foreign_ids, ' ');
    end if;
  end if;

  -- Each payload's ID looked up once, not once per status.
  select array_agg(id order by request_id) into p_ids from payloads where request_id = any(p_request_ids);
  -- Retention may have deleted a payload that had no status left in between: try the batch again.
  if cardinality(p_ids) is distinct from cardinality(p_request_ids) then
    raise exception 'a payload of the batch was deleted while it was stored' using errcode = 'serialization_failure';
  end if;

  if groups is null then
    insert into payload_statuses (payload_id, service, source, status, status_msg, date)
    select ids.id, t.service, t.source, t.status, t.status_msg, t.date
    from unnest(request_ids, services, sources, statuses, status_msgs, dates)
      as t(request_id, service, source, status, status_msg, date)
    join unnest(p_request_ids, p_ids) as ids(request_id, id) on ids.request_id = t.request_id
    on conflict do nothing;
    get diagnostics stored = row_count;
    perform set_config('plan_cache_mode', caller_plan_mode, true);
    return array[stored];
  end if;

  -- Several requests' events at once (group commit): each status stored is
  -- counted for the group that sent it, or the first of those that did. When
  -- every event was new, each group's count is its size, and the matching of
  -- stored statuses to events (a fifth of the call's cost) is skipped.
  with events as (
    select ids.id as payload_id, t.service, t.source, t.status, t.status_msg,
      md5(coalesce(t.status_msg, ''))::uuid as status_msg_md5, t.date, t.grp, t.ord
    from unnest(request_ids, services, sources, statuses, status_msgs, dates, groups)
      with ordinality as t(request_id, service, source, status, status_msg, date, grp, ord)
    join unnest(p_request_ids, p_ids) as ids(request_id, id) on ids.request_id = t.request_id
  ),
  inserted as (
    insert into payload_statuses (payload_id, service, source, status, status_msg, date)
    select payload_id, service, source, status, status_msg, date from events
    on conflict do nothing
    returning payload_id, service, source, status, status_msg_md5, date
  ),
  claimed as (
    select distinct on (e.payload_id, e.service, e.source, e.status, e.status_msg_md5, e.date) e.grp
    from inserted i join events e
      on (e.payload_id, e.service, e.status, e.status_msg_md5, e.date) = (i.payload_id, i.service, i.status, i.status_msg_md5, i.date)
      and e.source is not distinct from i.source
    order by e.payload_id, e.service, e.source, e.status, e.status_msg_md5, e.date, e.ord
  ),
  counts as (select grp, count(*) as n from claimed group by grp)
  select case when (select count(*) from inserted) = cardinality(request_ids)
    then (select array_agg(n order by grp) from (select grp, count(*) as n from unnest(groups) grp group by grp) sizes)
    else (select array_agg(coalesce(counts.n, 0) order by g)
      from generate_series(1, (select max(g) from unnest(groups) g)) g left join counts on counts.grp = g)
  end
  into stored_per_group;
  perform set_config('plan_cache_mode', caller_plan_mode, true);
  return stored_per_group;
end $$;

create or replace function store_status_events(
  request_ids text[], accounts text[], org_ids text[], inventory_ids text[], system_ids text[],
  services text[], sources text[], statuses text[], status_msgs text[], dates timestamptz[],
  groups int[]
) returns bigint[] language sql
as $$
  select store_status_events(request_ids, accounts, org_ids, inventory_ids, system_ids,
    services, sources, statuses, status_msgs, dates, groups, null::text[])
$$;
