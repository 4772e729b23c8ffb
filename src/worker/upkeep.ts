import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { purgeExpiredResults } from '../gathering/gathering.queries.ts';
import { applyRetention, ensureUpcomingPartitions } from './retention.ts';

const UPKEEP_INTERVAL_MS = 60 * 60_000;

export interface UpkeepDeps {
  db: Kysely<Schema>;
  partitions: PartitionKeeper;
  retentionDays: number;
  gatheringTtlMs: number;
  log: FastifyBaseLogger;
  now?: () => Date;
}

/**
 * Runs partition upkeep, retention and the purge of expired gathering results now and then hourly, in the background.
 * A failed round is logged and tried again at the next. Returns a stop function
 * that waits for a round under way.
 */
export function startUpkeep({ db, partitions, retentionDays, gatheringTtlMs, log, now = () => new Date() }: UpkeepDeps) {
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    try {
      await ensureUpcomingPartitions(partitions, now());
      const result = await applyRetention(db, partitions, retentionDays, now());
      if (result.droppedPartitions.length > 0 || result.deletedPayloads > 0) log.info(result, 'retention applied');
      const purged = await purgeExpiredResults(db, new Date(now().getTime() - gatheringTtlMs));
      if (purged > 0) log.info({ purged }, 'expired gathering results purged');
    } catch (error) {
      log.error({ err: error }, 'upkeep failed; trying again in an hour');
    }
  };
  running = round();
  const timer = setInterval(() => {
    running = running.then(round);
  }, UPKEEP_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
