import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createToken } from '../src/auth/tokens.ts';
import { createDb } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';

const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
const KILLS = 3;
const CLIENTS = 4;
const BATCH = 200;

/** Starts `tracker serve --roles api` and resolves once it listens. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--roles', 'api'], { env });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /Tracker serves (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

/** Batch `k`: events that say which batch and item they are, each unique. */
function batch(k: number, date: string) {
  return Array.from({ length: BATCH }, (_, i) => ({
    request_id: `k${String(k).padStart(8, '0')}x${i % 20}`,
    service: `svc${i % 5}`,
    status: 'success',
    status_msg: `b${k}-e${i}`,
    date,
  }));
}

/**
 * The database the killed servers use, migrated, with a producer's token: a
 * new one on TEST_DATABASE_URL's server, or an embedded data directory,
 * which a killed server leaves for the next to take over. `open` reaches it
 * from the test (on PGlite, only while no server runs).
 */
async function crashDatabase() {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const server = serverUrl ? await createServerDatabase(serverUrl) : undefined;
  const dataDir = server ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-crash-data-'));
  const open = () => createDb(server ? { databaseUrl: server.url } : { dataDir });
  const database = open();
  try {
    await migrate(database);
    const token = await createToken(database.db, { orgId: 'crash', userName: 'producer', scopes: ['statuses:write'], allOrgs: true });
    return {
      token,
      env: server ? { DATABASE_URL: server.url } : { DATA_DIR: dataDir! },
      open,
      async drop() {
        await server?.drop();
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } finally {
    await database.close();
  }
}

test('ingest under kill -9: every acknowledged batch is stored once, and no batch in part', async (t) => {
  const crash = await crashDatabase();
  try {
    {
      const { token } = crash;
      const env = {
        ...process.env,
        ...crash.env,
        PORT: '0',
        LOG_LEVEL: 'info',
        REPORTS_DIR: path.join(os.tmpdir(), `tracker-crash-${process.pid}`),
      };
      const date = new Date(Date.now() - 3600_000).toISOString();
      const acknowledged = new Set<number>();
      const sent = new Set<number>();
      let next = 0;

      for (let round = 0; round < KILLS; round++) {
        const { child, url } = await startServer(env);
        const exited = new Promise((resolve) => child.on('exit', resolve));
        let killed = false;
        const client = async () => {
          while (!killed) {
            const k = next++;
            sent.add(k);
            try {
              const response = await fetch(`${url}/v1/statuses`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify(batch(k, date)),
              });
              if (response.status === 200) acknowledged.add(k);
              else await response.text();
            } catch {
              // the server died under this request: not acknowledged
            }
          }
        };
        const clients = Array.from({ length: CLIENTS }, client);
        await new Promise((resolve) => setTimeout(resolve, 1500 + round * 300));
        child.kill('SIGKILL');
        killed = true;
        await exited;
        await Promise.all(clients);
      }

      const database = crash.open();
      let rows: { k: string; n: string }[];
      let duplicates: number;
      try {
        ({ rows } = await sql<{ k: string; n: string }>`
        select substr(split_part(status_msg, '-', 1), 2) as k, count(*) as n from payload_statuses group by 1`.execute(database.db));
        const { rows: repeated } = await sql<{ n: string }>`
        select count(*) as n from (select status_msg from payload_statuses group by status_msg having count(*) > 1) d`.execute(database.db);
        duplicates = Number(repeated[0].n);
      } finally {
        await database.close();
      }
      const stored = new Map(rows.map((row) => [Number(row.k), Number(row.n)]));
      const lost = [...acknowledged].filter((k) => stored.get(k) !== BATCH);
      const partial = [...stored].filter(([, n]) => n !== BATCH);
      t.diagnostic(
        `${KILLS} kills; ${sent.size} batches sent, ${acknowledged.size} acknowledged (${acknowledged.size * BATCH} events), ` +
          `${stored.size} stored whole; lost ${lost.length}, partial ${partial.length}`,
      );
      assert.ok(acknowledged.size > 0, 'some batches were acknowledged');
      assert.deepEqual(lost, [], 'acknowledged batches not stored whole');
      assert.deepEqual(partial, [], 'batches stored in part (or twice)');
      assert.equal(duplicates, 0);
    }
  } finally {
    await crash.drop();
  }
});
