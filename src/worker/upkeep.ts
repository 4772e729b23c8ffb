import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { purgeExpiredResults } from '../gathering/gathering.queries.ts';
import { expireReportFiles } from '../reports/expiry.ts';
import { applyRetention, ensureUpcomingPartitions } from './retention.ts';

const UPKEEP_INTERVAL_MS = 60 * 60_000;

export interface UpkeepDeps {
  db: Kysely<Schema>;
  partitions: PartitionKeeper;
  retentionDays: number;
  gatheringTtlMs: number;
  reportsDir: string;
  log: FastifyBaseLogger;
  now?: () => Date;
}

/**
 * Runs partition upkeep, retention, the purge of expired gathering results and
 * the deletion of expired report files, now and then hourly, in the background.
 * A failed round is logged and tried again at the next. Returns a stop function
 * that waits for a round under way.
 */
export function startUpkeep(deps: UpkeepDeps) {
  const { db, partitions, retentionDays, gatheringTtlMs, reportsDir, log, now = () => new Date() } = deps;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    try {
      await ensureUpcomingPartitions(partitions, now());
      const result = await applyRetention(db, partitions, retentionDays, now());
      if (result.droppedPartitions.length > 0 || result.deletedPayloads > 0) log.info(result, 'retention applied');
      const purged = await purgeExpiredResults(db, new Date(now().getTime() - gatheringTtlMs));
      if (purged > 0) log.info({ purged }, 'expired gathering results purged');
      const expiredFiles = await expireReportFiles(db, reportsDir, now());
      if (expiredFiles > 0) log.info({ expiredFiles }, 'expired report files deleted');
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
