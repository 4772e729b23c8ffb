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
 * is asked once, and each statement is explained with its own parameters. The
 * statements inside a function (the payload detail) are shown by auto_explain,
 * which needs a superuser; without one their plans are left out.
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
  const explainer = new pg.Client({ connectionString: target.serverEnv.DATABASE_URL });
  const nested: string[] = [];
  explainer.on('notice', (notice) => nested.push(notice.message ?? ''));
  try {
    await explainer.connect();
    await explainer
      .query(
        `load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on;
        set auto_explain.log_buffers = on; set auto_explain.log_nested_statements = on; set client_min_messages = log`,
      )
      .catch(() => out.push('(auto_explain could not be loaded: plans inside functions are left out)'));
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
            nested.length = 0;
            const { rows } = await explainer.query(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]);
            const inside = nested.filter((message) => /Query Text: \S/.test(message) && !message.includes('explain (analyze'));
            out.push(
              '```',
              query.sql.replace(/\s+/g, ' ').trim(),
              '',
              ...rows.map((row) => row['QUERY PLAN']),
              ...inside.map((plan) => `\n-- inside: ${plan}`),
              '```',
            );
          }
        }
      } finally {
        await app.close();
        await queue.stop();
      }
    });
  } finally {
    await explainer.end();
    await db.destroy();
  }
  return out.join('\n');
}
