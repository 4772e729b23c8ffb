import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * Each database's time zone names, read once: `pg_timezone_names` reads every
 * zone file on each query (56 ms on PostgreSQL, more on PGlite, for each
 * report job or schedule checked), and the names change only with the server's
 * time zone data, which a restart of Tracker picks up.
 */
const zoneNames = new WeakMap<Kysely<Schema>, Promise<Set<string>>>();

/**
 * Whether PostgreSQL knows `name` as a time zone: reports and schedules are
 * rendered with its zone rules, so it, not the Node runtime, is asked.
 */
export async function isKnownTimeZone(db: Kysely<Schema>, name: string): Promise<boolean> {
  let names = zoneNames.get(db);
  if (!names) {
    names = sql<{ name: string }>`select name from pg_timezone_names`.execute(db).then(({ rows }) => new Set(rows.map((row) => row.name)));
    zoneNames.set(db, names);
    // A failed read (the database out of reach) is not kept: the next check reads again.
    names.catch(() => zoneNames.delete(db));
  }
  return (await names).has(name);
}
