import { sql, type Kysely } from 'kysely';
import type { Caller } from '../auth/tokens.ts';
import type { Schema } from '../db/schema.ts';
import { refuseForeignItems } from '../shared/org-binding.ts';
import type { StatusEvent } from './ingest.validate.ts';

/**
 * Binds a batch to the producer's org unless its token was made for every org:
 * an event naming another org is refused, and so is one for a payload another
 * org already holds (else a producer could move that payload into its own org
 * and read it). An event naming no org is taken as the producer's.
 */
export async function bindToProducerOrg(db: Kysely<Schema>, events: StatusEvent[], caller: Caller): Promise<StatusEvent[]> {
  if (caller.allOrgs) return events;
  const { rows } = await sql<{ request_id: string }>`
    select request_id from payloads
    where request_id = any(${[...new Set(events.map((event) => event.requestId))]}::text[])
      and org_id is not null and org_id <> ${caller.orgId}`.execute(db);
  const heldElsewhere = new Set(rows.map((row) => row.request_id));
  refuseForeignItems(events, caller, (event) =>
    event.orgId !== null && event.orgId !== caller.orgId ? 'org_id' : heldElsewhere.has(event.requestId) ? 'request_id' : undefined,
  );
  return events.map((event) => (event.orgId === null ? { ...event, orgId: caller.orgId } : event));
}
