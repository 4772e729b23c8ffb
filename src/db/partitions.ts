import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';

// Serializes partition DDL between Tracker processes; any fixed number.
const PARTITION_LOCK = 7_202_612;
const DAY_MS = 86_400_000;

export function partitionName(utcDay: string): string {
  return `payload_statuses_p${utcDay.replaceAll('-', '')}`;
}

function nextDay(utcDay: string): string {
  return new Date(Date.parse(`${utcDay}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** UTC days `from` to `to` days around `now`, inclusive. */
export function daysAround(now: Date, from: number, to: number): string[] {
  const days: string[] = [];
  for (let offset = from; offset <= to; offset++) {
    days.push(new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Makes sure a daily partition of payload_statuses exists for each UTC day.
 * Known partitions are remembered per database, so the hot ingest path asks the
 * catalog only for a day it has not seen.
 */
export class PartitionKeeper {
  private readonly known = new Set<string>();
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async ensure(utcDays: Iterable<string>): Promise<void> {
    const missing = [...new Set(utcDays)].filter((day) => !this.known.has(day));
    if (missing.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(trx);
      for (const day of missing.sort()) {
        const table = sql.id(partitionName(day));
        await sql`create table if not exists ${table} partition of payload_statuses
          for values from (${sql.lit(`${day} 00:00:00+00`)}) to (${sql.lit(`${nextDay(day)} 00:00:00+00`)})`.execute(trx);
      }
    });
    for (const day of missing) this.known.add(day);
  }

  /** Forgets what it knows, for when another process changed the partitions. */
  forget(): void {
    this.known.clear();
  }

  /** Drops the partitions wholly older than `cutoffDay` (UTC); returns their names. */
  async dropBefore(cutoffDay: string): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class parent on parent.oid = i.inhparent
      where parent.relname = 'payload_statuses'`.execute(this.db);
    const cutoff = partitionName(cutoffDay);
    // Names sort as their days do, and every partition is exactly one day.
    const old = rows
      .map((row) => row.name)
      .filter((name) => name < cutoff)
      .sort();
    for (const name of old) {
      const day = `${name.slice(-8, -4)}-${name.slice(-4, -2)}-${name.slice(-2)}`;
      await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(trx);
        await sql`drop table if exists ${sql.id(name)}`.execute(trx);
        // Dropping fires no delete trigger: the day's counts go with it here (migrations 0005 and 0015).
        const [start, end] = [`${day}T00:00:00Z`, `${nextDay(day)}T00:00:00Z`];
        await sql`delete from status_counts where hour >= ${start}::timestamptz and hour < ${end}::timestamptz`.execute(trx);
        await sql`delete from outcome_counts where minute >= ${start}::timestamptz and minute < ${end}::timestamptz`.execute(trx);
      });
      this.known.delete(day);
    }
    return old;
  }
}
