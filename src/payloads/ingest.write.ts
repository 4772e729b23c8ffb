import { sql, type Kysely } from 'kysely';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import type { StatusEvent } from './ingest.validate.ts';

export interface IngestResult {
  /** Events in the request. */
  received: number;
  /** Events newly stored; the rest had been stored before. */
  stored: number;
}

const NO_PARTITION = '23514'; // check_violation: "no partition of relation found for row"
const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure
const MAX_ATTEMPTS = 3;

/**
 * Stores a validated batch in one transaction of two statements, whatever its size:
 * first the payloads (created or updated only where a field changes, in request-ID
 * order so that concurrent batches lock rows in the same order), then the statuses,
 * skipping any already stored. The second statement takes a new snapshot, so it
 * sees a payload another transaction committed while the first one waited for it.
 */
export async function storeStatusEvents(
  db: Kysely<Schema>,
  partitions: PartitionKeeper,
  events: StatusEvent[],
): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      await partitions.ensure(events.map((event) => event.utcDay));
      const stored = await db.transaction().execute(async (trx) => {
        await upsertPayloads(trx, events);
        return insertStatuses(trx, events);
      });
      return { received: events.length, stored };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // Another process may have dropped a partition we remembered; look again.
      if (code === NO_PARTITION) partitions.forget();
      if (attempt >= MAX_ATTEMPTS || !(RETRYABLE.has(code) || code === NO_PARTITION)) throw error;
    }
  }
}

function column<K extends keyof StatusEvent>(events: StatusEvent[], key: K): StatusEvent[K][] {
  return events.map((event) => event[key]);
}

async function upsertPayloads(db: Kysely<Schema>, events: StatusEvent[]): Promise<void> {
  await sql`
    insert into payloads as p (request_id, account, org_id, inventory_id, system_id, created_at)
    select request_id,
      (array_agg(account order by ord desc) filter (where account is not null))[1],
      (array_agg(org_id order by ord desc) filter (where org_id is not null))[1],
      (array_agg(inventory_id order by ord desc) filter (where inventory_id is not null))[1]::uuid,
      (array_agg(system_id order by ord desc) filter (where system_id is not null))[1]::uuid,
      min(date)
    from unnest(
      ${column(events, 'requestId')}::text[], ${column(events, 'account')}::text[],
      ${column(events, 'orgId')}::text[], ${column(events, 'inventoryId')}::text[],
      ${column(events, 'systemId')}::text[], ${column(events, 'date')}::timestamptz[]
    ) with ordinality as t(request_id, account, org_id, inventory_id, system_id, date, ord)
    group by request_id
    order by request_id
    on conflict (request_id) do update set
      account = coalesce(excluded.account, p.account),
      org_id = coalesce(excluded.org_id, p.org_id),
      inventory_id = coalesce(excluded.inventory_id, p.inventory_id),
      system_id = coalesce(excluded.system_id, p.system_id),
      created_at = least(excluded.created_at, p.created_at)
    where (p.account, p.org_id, p.inventory_id, p.system_id, p.created_at) is distinct from (
      coalesce(excluded.account, p.account), coalesce(excluded.org_id, p.org_id),
      coalesce(excluded.inventory_id, p.inventory_id), coalesce(excluded.system_id, p.system_id),
      least(excluded.created_at, p.created_at))`.execute(db);
}

async function insertStatuses(db: Kysely<Schema>, events: StatusEvent[]): Promise<number> {
  // The payload ID is looked up per row: a join turned into a full scan of payloads once it grew.
  const result = await sql`
    insert into payload_statuses (payload_id, service, source, status, status_msg, date)
    select (select id from payloads where request_id = t.request_id), service, source, status, status_msg, date
    from unnest(
      ${column(events, 'requestId')}::text[], ${column(events, 'service')}::text[],
      ${column(events, 'source')}::text[], ${column(events, 'status')}::text[],
      ${column(events, 'statusMsg')}::text[], ${column(events, 'date')}::timestamptz[]
    ) as t(request_id, service, source, status, status_msg, date)
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
