import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import type { Metrics } from '../metrics.ts';

/** What the payload tracker's routes are given. */
export interface PayloadTrackerDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  metrics: Metrics;
  partitions: PartitionKeeper;
  /** The clock, injectable so that tests can pin "the last 24 hours". */
  now: () => Date;
}
