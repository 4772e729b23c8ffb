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
  const foreign = await foreignFields(db, events, caller.orgId);
  refuseForeignItems(events, caller, (_event, index) => foreign[index]);
  return inOrg(events, caller.orgId);
}

/**
 * For each event, the field that puts it in another org than `orgId` (its
 * `org_id`, or its `request_id` when another org holds that payload), or
 * undefined when it is `orgId`'s.
 */
export async function foreignFields(db: Kysely<Schema>, events: StatusEvent[], orgId: string): Promise<(string | undefined)[]> {
  const { rows } = await sql<{ request_id: string }>`
    select request_id from payloads
    where request_id = any(${[...new Set(events.map((event) => event.requestId))]}::text[])
      and org_id is not null and org_id <> ${orgId}`.execute(db);
  const heldElsewhere = new Set(rows.map((row) => row.request_id));
  return events.map((event) =>
    event.orgId !== null && event.orgId !== orgId ? 'org_id' : heldElsewhere.has(event.requestId) ? 'request_id' : undefined,
  );
}

/** The events, those naming no org taken as `orgId`'s. */
export const inOrg = (events: StatusEvent[], orgId: string) => events.map((event) => (event.orgId === null ? { ...event, orgId } : event));
