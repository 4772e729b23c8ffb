import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { fromPglite, type ConstructorOptions } from 'pg-boss';
import { lockDataDir } from './data-dir-lock.ts';
import { healthConnection } from './health-connection.ts';
import { preparedNameOf } from './prepared-statements.ts';
import type { Schema } from './schema.ts';
import { TYPE_PARSERS } from './type-parsers.ts';

/** Runs a script of one or more statements; returns the rows of the last one. */
export type ScriptRunner = (script: string) => Promise<Record<string, unknown>[]>;

export interface Database {
  db: Kysely<Schema>;
  kind: 'postgres' | 'pglite';
  /** How pg-boss reaches the same database. */
  bossConnection: Pick<ConstructorOptions, 'connectionString' | 'db' | 'backend' | 'max' | 'connectionTimeoutMillis'>;
  /** Gives `fn` one connection for the scripts it runs (migrations need one session). */
  withScriptRunner<T>(fn: (run: ScriptRunner) => Promise<T>): Promise<T>;
  /** The embedded database's data directory as an image, to start others from (PGlite only). */
  image?(): Promise<Blob>;
  /** Asks the database whether it answers, for health checks: on PostgreSQL on a connection of its own (see healthConnection). */
  ping(): Promise<void>;
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
  /** How long PostgreSQL may take to connect, and to answer one statement (see `DatabaseTimeouts`). */
  timeouts?: DatabaseTimeouts;
}

/**
 * A database that stops answering without closing (a black-holed network, a
 * stuck failover) would otherwise hold every request for the whole outage.
 * A connection not made in `connectMs`, or a statement not answered in
 * `statementMs`, fails as unavailable (a 503 with Retry-After); PostgreSQL
 * cancels such a statement itself, and ends a session left idle inside a
 * transaction, so what the client gave up holds no locks. Scripts
 * (migrations) run without these limits.
 */
export interface DatabaseTimeouts {
  connectMs: number;
  statementMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 3000, statementMs: 5000 };

/**
 * The client gives up this much later than the server's statement_timeout, so
 * that a statement the server did get is cancelled by it (and the connection
 * kept), and only one that got no answer at all ends its connection.
 */
const CLIENT_TIMEOUT_MARGIN_MS = 250;
/** A session idle inside a transaction this many statement timeouts is one its client gave up. */
const IDLE_IN_TRANSACTION_FACTOR = 4;

/** The only place that knows pg from PGlite. */
export function createDb(options: DbOptions): Database {
  return options.databaseUrl
    ? createPostgres(options.databaseUrl, options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS, options.onConnectionError)
    : createPglite(options);
}

function createPostgres(connectionString: string, timeouts: DatabaseTimeouts, onConnectionError = (_error: Error) => {}): Database {
  // Tracker's statements are lookups of a few ms to a few hundred; JIT
  // compiling one whose estimate crosses jit_above_cost took 25–80 ms, more
  // than it saved (README). An `options` in DATABASE_URL replaces this.
  const startupOptions = [
    '-c jit=off',
    `-c statement_timeout=${timeouts.statementMs}`,
    `-c idle_in_transaction_session_timeout=${timeouts.statementMs * IDLE_IN_TRANSACTION_FACTOR}`,
  ].join(' ');
  const answerTimeoutMs = timeouts.statementMs + CLIENT_TIMEOUT_MARGIN_MS;
  const health = healthConnection(connectionString, { connectTimeoutMs: timeouts.connectMs, answerTimeoutMs, startupOptions });
  const pool = new pg.Pool({
    connectionString,
    options: startupOptions,
    connectionTimeoutMillis: timeouts.connectMs,
    // Probes a pooled connection idle for 10 s (the system's default waits two hours).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
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
    db: new Kysely<Schema>({
      dialect: new PostgresDialect({ pool: withCallbackQueries(pool, answerTimeoutMs) }),
    }),
    kind: 'postgres',
    bossConnection: { connectionString, max: 4, connectionTimeoutMillis: timeouts.connectMs },
    async withScriptRunner(fn) {
      const client = await pool.connect();
      try {
        // A migration may build an index over every row; the session is ended afterwards, limits and all.
        await client.query('set statement_timeout = 0; set idle_in_transaction_session_timeout = 0');
        // Without parameters pg uses the simple protocol, which runs every statement of the script.
        return await fn(async (script) => {
          const result = (await client.query(script)) as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
        });
      } finally {
        client.release(true);
      }
    },
    ping: health.ping,
    // Kysely's destroy ends the pool.
    close: health.close,
  });
}

/**
 * The pool as Kysely's driver uses it, its clients' queries made in pg's
 * callback form. The promise form, which the driver calls, left ~2.5 MB
 * promoted to V8's old space at each young-generation collection while
 * serving, so that those collections took 6–15 ms instead of 1.5–3 and set
 * the payload detail's p99 (README, Storage); the callback form does not.
 * Statements of `preparedStatement` go by their name. A statement with no
 * answer after `answerTimeoutMs` fails as unavailable, and its connection,
 * still waiting for that answer, is ended rather than reused.
 */
function withCallbackQueries(pool: pg.Pool, answerTimeoutMs: number): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  // Kysely asks a cursor only to stream a query, and the backend's processID only to cancel one on an
  // AbortSignal; Tracker asks neither of it.
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // A migration that changes what a prepared statement returns makes each later run of it on this
    // connection fail ("cached plan must not change result type"); a new connection prepares it anew.
    let stalePlan = false;
    let unanswered: Error | undefined;
    return {
      query: ((text: string, values: unknown[]) =>
        new Promise<pg.QueryResult>((resolve, reject) => {
          if (unanswered) return reject(unanswered);
          const timer = setTimeout(() => reject((unanswered = new DatabaseTimeoutError(answerTimeoutMs))), answerTimeoutMs);
          client.query({ name: preparedNameOf(text), text, values }, (error: Error | null, result: pg.QueryResult) => {
            clearTimeout(timer);
            if (!error) return resolve(result);
            if ((error as { code?: string }).code === '0A000' && /cached plan/.test(error.message)) stalePlan = true;
            reject(error);
          });
        })) as unknown as PostgresPoolClient['query'],
      release: (destroy) => client.release(destroy || stalePlan || unanswered),
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

/** A statement PostgreSQL did not answer in time: the database counts as unreachable (`isDatabaseUnavailable`). */
class DatabaseTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
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
    ping: async () => void (await pglite.query('select 1')),
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
