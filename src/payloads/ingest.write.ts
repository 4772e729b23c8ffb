import { sql, type Kysely } from 'kysely';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { nextBatchSize } from '../shared/statement-budget.ts';
import { asForeignPayloads } from './ingest.org.ts';
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
 * Most events stored by one call of `store_status_events`; a larger batch is
 * stored in several calls in one transaction, each sized to the statement
 * budget from what the last took (nextBatchSize). On the embedded database a
 * call runs on the event loop: one of 20,000 events held it 843 ms, and the
 * API with it. On PostgreSQL calls of 1,000 store fastest (see the ingest
 * bench), and they take less than the budget, so that is what they grow to.
 */
const EVENTS_PER_CALL = 1000;
const FIRST_CALL_EVENTS = 100;

/** Stores one validated batch, all or nothing; see storeStatusEventGroups. */
export async function storeStatusEvents(db: Kysely<Schema>, partitions: PartitionKeeper, events: StatusEvent[]): Promise<IngestResult> {
  if (events.length <= EVENTS_PER_CALL) {
    const [stored] = await storeStatusEventGroups(db, partitions, [events]);
    return { received: events.length, stored };
  }
  // In request-ID order (a stable sort keeps each payload's events in the order sent), so that
  // the calls lock payloads in one order across the transaction, as one call does within itself.
  const sorted = events.toSorted((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  const stored = await withIngestRetries(partitions, events, () =>
    db.transaction().execute(async (trx) => {
      let count = 0;
      let size = FIRST_CALL_EVENTS;
      for (let start = 0; start < sorted.length;) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve)); // the event loop gets through
        const call = sorted.slice(start, start + size);
        const started = performance.now();
        count += (await callStoreStatusEvents(trx, call, null))[0];
        start += call.length;
        size = nextBatchSize(call.length, performance.now() - started, EVENTS_PER_CALL);
      }
      return count;
    }),
  );
  return { received: events.length, stored };
}

/**
 * Stores validated batches, several requests' at once (group commit), with
 * one call of `store_status_events` (migrations 0006 and 0011), which is
 * atomic whatever the size; answers how many of each group's events were new.
 */
export function storeStatusEventGroups(db: Kysely<Schema>, partitions: PartitionKeeper, groups: StatusEvent[][]): Promise<number[]> {
  const events = groups.flat();
  // One group is counted as a whole, which spares the database matching each stored status to its group.
  const groupOfEach = groups.length === 1 ? null : groups.flatMap((group, index) => group.map(() => index + 1));
  return withIngestRetries(partitions, events, () => callStoreStatusEvents(db, events, groupOfEach));
}

/**
 * Runs `store`, which stores `events` (and, for the bus, more in the same
 * transaction), once their days' partitions exist; again after a deadlock or
 * a partition dropped meanwhile.
 */
export async function withIngestRetries<T>(partitions: PartitionKeeper, events: StatusEvent[], store: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      await partitions.ensure(events.map((event) => event.utcDay));
      return await store();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // Another process may have dropped a partition we remembered; look again.
      if (code === NO_PARTITION) partitions.forget();
      if (attempt >= MAX_ATTEMPTS || !(RETRYABLE.has(code) || code === NO_PARTITION)) throw error;
    }
  }
}

/** One call of `store_status_events`: `groupOfEach` names each event's group (1, 2, …), or null for one group. */
export async function callStoreStatusEvents(db: Kysely<Schema>, events: StatusEvent[], groupOfEach: number[] | null): Promise<number[]> {
  const owners = events.some((event) => event.ownerOrg) ? events.map((event) => event.ownerOrg ?? null) : null;
  const { rows } = await sql<{ stored: string[] }>`
    select store_status_events(
      ${column(events, 'requestId')}::text[], ${column(events, 'account')}::text[],
      ${column(events, 'orgId')}::text[], ${column(events, 'inventoryId')}::text[],
      ${column(events, 'systemId')}::text[], ${column(events, 'service')}::text[],
      ${column(events, 'source')}::text[], ${column(events, 'status')}::text[],
      ${column(events, 'statusMsg')}::text[], ${column(events, 'date')}::timestamptz[],
      ${groupOfEach}::int[], ${owners}::text[]) as stored`
    .execute(db)
    .catch((error: unknown) => {
      throw asForeignPayloads(error);
    });
  return rows[0].stored.map(Number);
}

function column<K extends keyof StatusEvent>(events: StatusEvent[], key: K): StatusEvent[K][] {
  return events.map((event) => event[key]);
}
