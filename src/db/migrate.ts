import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
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
 * A database migrated by a newer Tracker has tables and columns this code does
 * not know; serving from it (an API process deployed behind its worker processes) would
 * misread them. Refuse, naming both versions.
 */
function refuseNewerSchema(applied: Set<number>, migrations: Migration[]) {
  const known = new Set(migrations.map((migration) => migration.version));
  const unknown = [...applied].filter((version) => !known.has(version)).sort((a, b) => a - b);
  if (unknown.length === 0) return;
  const newest = Math.max(0, ...known);
  throw new AppError(
    'unavailable',
    `the database schema is at migration ${Math.max(...unknown)} but this Tracker knows migrations up to ${newest} ` +
      `(unknown: ${unknown.join(', ')}); run the Tracker version that migrated it, or a newer one`,
  );
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
      refuseNewerSchema(applied, migrations);
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
