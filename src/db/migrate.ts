import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './create-db.ts';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
// Any fixed number: it only has to be the same in every Tracker process.
const MIGRATION_LOCK = 7_202_611;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered SQL files of `migrations/`, in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }));
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, under an
 * advisory lock so that processes starting together apply each one once.
 * Returns the names of those applied.
 */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<string[]> {
  return database.withScriptRunner(async (run) => {
    await run(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await run(`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now())`);
      const rows = await run('select version from schema_migrations');
      const applied = new Set(rows.map((row) => Number(row.version)));
      const names: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        // One script runs as one transaction: the migration and its record commit together.
        try {
          await run(
            `begin;\n${migration.sql}\n;insert into schema_migrations (version, name) ` +
              `values (${migration.version}, '${migration.name}');\ncommit;`,
          );
        } catch (error) {
          await run('rollback');
          throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        names.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`);
      }
      return names;
    } finally {
      await run(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  });
}
