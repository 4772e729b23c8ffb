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
 * Stores a validated batch with one call of `store_status_events` (migration
 * 0006), which is atomic whatever the batch's size. A deadlock or a partition
 * dropped meanwhile is retried.
 */
export async function storeStatusEvents(db: Kysely<Schema>, partitions: PartitionKeeper, events: StatusEvent[]): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      await partitions.ensure(events.map((event) => event.utcDay));
      const { rows } = await sql<{ stored: string }>`
        select store_status_events(
          ${column(events, 'requestId')}::text[], ${column(events, 'account')}::text[],
          ${column(events, 'orgId')}::text[], ${column(events, 'inventoryId')}::text[],
          ${column(events, 'systemId')}::text[], ${column(events, 'service')}::text[],
          ${column(events, 'source')}::text[], ${column(events, 'status')}::text[],
          ${column(events, 'statusMsg')}::text[], ${column(events, 'date')}::timestamptz[]) as stored`.execute(db);
      return { received: events.length, stored: Number(rows[0].stored) };
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
