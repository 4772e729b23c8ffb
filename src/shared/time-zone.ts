import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * Whether PostgreSQL knows `name` as a time zone: reports and schedules are
 * rendered with its zone rules, so it, not the Node runtime, is asked.
 */
export async function isKnownTimeZone(db: Kysely<Schema>, name: string): Promise<boolean> {
  const { rows } = await sql<{ known: boolean }>`
    select exists (select 1 from pg_timezone_names where name = ${name}) as known`.execute(db);
  return rows[0].known;
}
