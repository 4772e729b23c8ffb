import { sql, type Kysely } from 'kysely';
import type { Caller } from '../auth/tokens.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
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

/** The events of a writer bound to `orgId`: those naming no org taken as its, and each owned by it. */
export const inOrg = (events: StatusEvent[], orgId: string) =>
  events.map((event) => ({ ...event, orgId: event.orgId ?? orgId, ownerOrg: orgId }));

/**
 * The database refused an org-bound writer's events for payloads another org
 * holds: another writer stored them first, after this one's check (`foreignFields`).
 */
export class ForeignPayloadsError extends AppError {
  readonly requestIds: ReadonlySet<string>;
  constructor(requestIds: string[]) {
    super('forbidden', `${requestIds.length} payload(s) of the request belong to another org: ${requestIds.join(', ')}`);
    this.requestIds = new Set(requestIds);
  }
}

/** SQLSTATE of store_status_events for payloads of another org (migration 0018); its detail lists their request IDs. */
const FOREIGN_PAYLOADS = 'TKORG';

/** `error` as a ForeignPayloadsError when it is the database's refusal of another org's payloads. */
export function asForeignPayloads(error: unknown): unknown {
  const { code, detail } = error as { code?: string; detail?: string };
  return code === FOREIGN_PAYLOADS ? new ForeignPayloadsError((detail ?? '').split(' ').filter(Boolean)) : error;
}
