import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Database } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';

export type TargetKind = 'postgres' | 'pglite';

/** A fresh, migrated database the bench fills, then hands to a Tracker server process. */
export interface BenchTarget {
  kind: TargetKind;
  /** The environment that points `tracker serve` at this database. */
  serverEnv: Record<string, string>;
  /** Opens the database for the bench itself; an embedded one must be closed before the server starts. */
  open(): Database;
  drop(): Promise<void>;
}

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTarget(kind: TargetKind): Promise<BenchTarget> {
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bench-'));
  const removeDir = () => fs.rmSync(reportsDir, { recursive: true, force: true });
  let target: BenchTarget;
  if (kind === 'postgres') {
    const server = await createServerDatabase(POSTGRES_URL);
    target = {
      kind,
      serverEnv: { DATABASE_URL: server.url, REPORTS_DIR: reportsDir },
      open: () => createDb({ databaseUrl: server.url }),
      drop: async () => {
        await server.drop();
        removeDir();
      },
    };
  } else {
    const dataDir = path.join(reportsDir, 'data');
    target = {
      kind,
      serverEnv: { DATA_DIR: dataDir, REPORTS_DIR: path.join(reportsDir, 'reports') },
      open: () => createDb({ dataDir, holder: 'tracker bench' }),
      drop: async () => removeDir(),
    };
  }
  const database = target.open();
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return target;
}

/** Runs `use` with the target's database open, closing it after. */
export async function withOpen<T>(target: BenchTarget, use: (database: Database) => Promise<T>): Promise<T> {
  const database = target.open();
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}
