import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { fromPglite, type ConstructorOptions } from 'pg-boss';
import { lockDataDir } from './data-dir-lock.ts';
import { preparedNameOf } from './prepared-statements.ts';
import type { Schema } from './schema.ts';
import { TYPE_PARSERS } from './type-parsers.ts';

/** Runs a script of one or more statements; returns the rows of the last one. */
export type ScriptRunner = (script: string) => Promise<Record<string, unknown>[]>;

export interface Database {
  db: Kysely<Schema>;
  kind: 'postgres' | 'pglite';
  /** How pg-boss reaches the same database. */
  bossConnection: Pick<ConstructorOptions, 'connectionString' | 'db' | 'backend' | 'max'>;
  /** Gives `fn` one connection for the scripts it runs (migrations need one session). */
  withScriptRunner<T>(fn: (run: ScriptRunner) => Promise<T>): Promise<T>;
  /** The embedded database's data directory as an image, to start others from (PGlite only). */
  image?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL connection string. */
  databaseUrl?: string;
  /** PGlite data directory; with neither option the database lives in memory (tests). */
  dataDir?: string;
  /** An in-memory PGlite starts as a copy of this data directory image (`dumpDataDir`): tests' migrated template. */
  image?: Blob;
  /** Named in the lock of an embedded data directory, so a second process can say who holds it. */
  holder?: string;
  /** Told when PostgreSQL ends an idle pooled connection (a restart, a failover). */
  onConnectionError?: (error: Error) => void;
}

/** The only place that knows pg from PGlite. */
export function createDb(options: DbOptions): Database {
  return options.databaseUrl ? createPostgres(options.databaseUrl, options.onConnectionError) : createPglite(options);
}

function createPostgres(connectionString: string, onConnectionError = (_error: Error) => {}): Database {
  const pool = new pg.Pool({
    connectionString,
    // Tracker's statements are lookups of a few ms to a few hundred; JIT
    // compiling one whose estimate crosses jit_above_cost took 25–80 ms, more
    // than it saved (README). An `options` in DATABASE_URL replaces this.
    options: '-c jit=off',
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle connection's error would end the process; the pool
  // drops that connection and opens a new one for the next query.
  pool.on('error', onConnectionError);
  // A connection lost under a query rejects that query, and its client also
  // emits 'error', which the pool listens to only while the client is idle:
  // unheard, it would end the process. The rejected query is the report.
  pool.on('connect', (client) => client.on('error', () => {}));
  return withDestroy({
    db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool: withCallbackQueries(pool) }) }),
    kind: 'postgres',
    bossConnection: { connectionString, max: 4 },
    async withScriptRunner(fn) {
      const client = await pool.connect();
      try {
        // Without parameters pg uses the simple protocol, which runs every statement of the script.
        return await fn(async (script) => {
          const result = (await client.query(script)) as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
        });
      } finally {
        client.release();
      }
    },
    // Kysely's destroy ends the pool.
    close: async () => {},
  });
}

/**
 * The pool as Kysely's driver uses it, its clients' queries made in pg's
 * callback form. The promise form, which the driver calls, left ~2.5 MB
 * promoted to V8's old space at each young-generation collection while
 * serving, so that those collections took 6–15 ms instead of 1.5–3 and set
 * the payload detail's p99 (README, Storage); the callback form does not.
 * Statements of `preparedStatement` go by their name.
 */
function withCallbackQueries(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  // Kysely asks a cursor only to stream a query, and the backend's processID only to cancel one on an
  // AbortSignal; Tracker asks neither of it.
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // A migration that changes what a prepared statement returns makes each later run of it on this
    // connection fail ("cached plan must not change result type"); a new connection prepares it anew.
    let stalePlan = false;
    return {
      query: ((text: string, values: unknown[]) =>
        new Promise<pg.QueryResult>((resolve, reject) =>
          client.query({ name: preparedNameOf(text), text, values }, (error: Error | null, result: pg.QueryResult) => {
            if (!error) return resolve(result);
            if ((error as { code?: string }).code === '0A000' && /cached plan/.test(error.message)) stalePlan = true;
            reject(error);
          }),
        )) as unknown as PostgresPoolClient['query'],
      release: (destroy) => client.release(destroy || stalePlan),
    };
  };
  return {
    options: pool.options,
    async connect() {
      const client = await pool.connect();
      let connection = wrapped.get(client);
      if (!connection) wrapped.set(client, (connection = wrap(client)));
      return connection;
    },
    end: () => pool.end(),
  };
}

function createPglite(options: DbOptions): Database {
  const unlock = options.dataDir ? lockDataDir(options.dataDir, options.holder ?? 'tracker') : () => {};
  let pglite: PGlite;
  try {
    pglite = new PGlite({ dataDir: options.dataDir, loadDataDir: options.image, parsers: TYPE_PARSERS });
  } catch (error) {
    unlock();
    throw error;
  }
  const database: Database = {
    db: new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) }),
    kind: 'pglite',
    bossConnection: { db: fromPglite(pglite), backend: 'pglite' },
    async withScriptRunner(fn) {
      return fn(async (script) => {
        const results = await pglite.exec(script);
        return results.at(-1)?.rows ?? [];
      });
    },
    image: () => pglite.dumpDataDir('none'),
    close: async () => {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        unlock();
      }
    },
  };
  return withDestroy(database);
}

/** Closing a Database destroys its Kysely instance first, then whatever the backend holds. */
function withDestroy(database: Database): Database {
  const closeBackend = database.close;
  return {
    ...database,
    async close() {
      await database.db.destroy();
      await closeBackend();
    },
  };
}
