import { sql, type Kysely } from 'kysely';
import { daysAround, type PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { inBudgetedSteps } from '../shared/statement-budget.ts';

const MOST_DELETED_AT_ONCE = 10_000;

export interface RetentionResult {
  droppedPartitions: string[];
  deletedPayloads: number;
}

/**
 * Drops the status partitions of the days wholly older than `retentionDays`,
 * then deletes, in short steps (see inBudgetedSteps), the payloads created before then that have no
 * status left. Since every older partition is gone by then, a payload's
 * remaining statuses are all recent ones: nothing is left without its payload.
 */
export async function applyRetention(
  db: Kysely<Schema>,
  partitions: PartitionKeeper,
  retentionDays: number,
  now: Date,
): Promise<RetentionResult> {
  const [cutoffDay] = daysAround(now, -retentionDays, -retentionDays);
  const droppedPartitions = await partitions.dropBefore(cutoffDay);
  const cutoff = `${cutoffDay}T00:00:00Z`;
  const deletedPayloads = await inBudgetedSteps(
    async (limit) => {
      const result = await sql`
        delete from payloads where id in (
          select p.id from payloads p
          where p.created_at < ${cutoff}::timestamptz
            and not exists (select 1 from payload_statuses s where s.payload_id = p.id)
          limit ${limit})`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
    { most: MOST_DELETED_AT_ONCE },
  );
  return { droppedPartitions, deletedPayloads };
}

/** Partitions for yesterday to three days ahead, so that ingest rarely has to create one. */
export function ensureUpcomingPartitions(partitions: PartitionKeeper, now: Date): Promise<void> {
  return partitions.ensure(daysAround(now, -1, 3));
}
