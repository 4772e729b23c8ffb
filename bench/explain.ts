import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Schema } from '../src/db/schema.ts';
import { enqueueOnlyReportQueue } from './bench-database.ts';
import { lookupPaths } from './lookups.ts';
import { withOpen, type BenchTarget } from './targets.ts';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every statement each lookup runs: the app runs
 * in this process on a Kysely that keeps the statements it executes, each lookup
 * is asked once, and each statement is explained with its own parameters.
 */
export async function explainLookups(target: BenchTarget, payloads: number, now: Date): Promise<string> {
  const pool = new pg.Pool({ connectionString: target.serverEnv.DATABASE_URL, max: 2 });
  let captured: CompiledQuery[] = [];
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  const out: string[] = [];
  try {
    await withOpen(target, async (database) => {
      const config = loadConfig({ ...target.serverEnv, LOG_LEVEL: 'warn' });
      const queue = await enqueueOnlyReportQueue(database, config);
      const app = await buildApp({ db, config, enqueueReport: queue.enqueue });
      try {
        for (const lookup of lookupPaths(payloads, now)) {
          captured = [];
          const response = await app.inject({ url: lookup.path(1) });
          if (response.statusCode !== 200) throw new Error(`${lookup.label} answered ${response.statusCode}`);
          out.push(`\n### ${lookup.label}\n\n\`${lookup.path(1)}\``);
          for (const query of captured.splice(0)) {
            const { rows } = await pool.query(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]);
            out.push('```', query.sql.replace(/\s+/g, ' ').trim(), '', ...rows.map((row) => row['QUERY PLAN']), '```');
          }
        }
      } finally {
        await app.close();
        await queue.stop();
      }
    });
  } finally {
    await db.destroy();
  }
  return out.join('\n');
}
