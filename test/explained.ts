import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/db/create-db.ts';
import type { Schema } from '../src/db/schema.ts';

/** Why a test that reads plans is skipped on PGlite, or false on PostgreSQL. */
export const POSTGRES_PLANS = process.env.TEST_DATABASE_URL ? false : 'auto_explain is PostgreSQL only';

/**
 * Runs `use` on a one-connection Kysely to `database` whose connection logs,
 * through auto_explain, the plan of every statement it runs, nested ones
 * included; answers its result and the plans, in the order they ran
 * (PostgreSQL only).
 */
export async function withExplainedPlans<T>(
  database: Database,
  use: (db: Kysely<Schema>) => Promise<T>,
): Promise<{ result: T; plans: string[] }> {
  const plans: string[] = [];
  const pool = new pg.Pool({ connectionString: database.bossConnection.connectionString, max: 1 });
  pool.on('connect', (client) => {
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    // Queued before any statement of `use` on this, the only connection.
    void client.query(
      `load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
      set auto_explain.log_analyze = on; set auto_explain.log_timing = off; set client_min_messages = log`,
    );
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    return { result: await use(db), plans };
  } finally {
    await db.destroy();
  }
}
