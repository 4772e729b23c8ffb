import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { purgeExpiredResults } from '../gathering/gathering.queries.ts';
import { foldCounts } from '../payloads/counts.ts';
import { expireReportFiles } from '../reports/expiry.ts';
import { runPeriodically } from '../shared/periodic.ts';
import { applyRetention, ensureUpcomingPartitions } from './retention.ts';

const UPKEEP_INTERVAL_MS = 60 * 60_000;
// Counts stay exact without folding; folding keeps the rows a count sums few.
const FOLD_INTERVAL_MS = 10_000;

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
 * the deletion of expired report files, now and then hourly, and the folding of
 * the count summaries every ten seconds, in the background.
 */
export function startUpkeep(deps: UpkeepDeps) {
  const { db, partitions, retentionDays, gatheringTtlMs, reportsDir, log, now = () => new Date() } = deps;
  const stopFolding = runPeriodically('count folding', FOLD_INTERVAL_MS, () => foldCounts(db), log);
  const stopHourly = runPeriodically(
    'upkeep',
    UPKEEP_INTERVAL_MS,
    async () => {
      await ensureUpcomingPartitions(partitions, now());
      const result = await applyRetention(db, partitions, retentionDays, now());
      if (result.droppedPartitions.length > 0 || result.deletedPayloads > 0) log.info(result, 'retention applied');
      const purged = await purgeExpiredResults(db, new Date(now().getTime() - gatheringTtlMs));
      if (purged > 0) log.info({ purged }, 'expired gathering results purged');
      const expiredFiles = await expireReportFiles(db, reportsDir, now());
      if (expiredFiles > 0) log.info({ expiredFiles }, 'expired report files deleted');
    },
    log,
  );
  return async () => {
    await stopFolding();
    await stopHourly();
  };
}
