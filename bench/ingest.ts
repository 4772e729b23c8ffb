/**
 * Ingest benchmark: N status events through POST /v1/statuses over real HTTP, in
 * batches, from C concurrent clients, into a fresh database. Prints the time and
 * events per second, on PostgreSQL (BENCH_DATABASE_URL, default the local
 * server) and on in-memory PGlite.
 *
 *   node bench/ingest.ts [--events 100000] [--batch 1000] [--clients 1] [--only pg|pglite]
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { createToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, type Database } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { enqueueOnlyReportQueue, withBenchDatabase } from './bench-database.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const CLIENTS = Number(values.clients);
const SERVICES = ['ingress', 'puptoo', 'inventory', 'storage-broker', 'insights-engine', 'ccx-rules', 'advisor'];
const STATUSES = ['received', 'processing', 'success'];

/** Realistic events: 5–9 services a payload, 1–3 statuses each, spread over 7 days. */
function* generateEvents(count: number) {
  const start = Date.now() - 7 * 86_400_000;
  let produced = 0;
  while (produced < count) {
    const requestId = crypto.randomBytes(16).toString('hex');
    const org = String(1 + (produced % 5));
    let time = start + Math.floor(Math.random() * 7 * 86_400_000);
    const services = SERVICES.slice(0, 5 + Math.floor(Math.random() * 3));
    for (const service of services) {
      for (const status of STATUSES.slice(0, 1 + Math.floor(Math.random() * 3))) {
        if (produced++ >= count) return;
        time += Math.floor(Math.random() * 2000);
        yield { service, status, request_id: requestId, org_id: org, account: `acct${org}`, date: new Date(time).toISOString() };
      }
    }
  }
}

async function run(label: string, database: Database) {
  const config = loadConfig({ LOG_LEVEL: 'warn', INGEST_MAX_EVENTS: String(BATCH) });
  const queue = await enqueueOnlyReportQueue(database, config);
  const app = await buildApp({ db: database.db, config, enqueueReport: queue.enqueue });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const token = await createToken(database.db, { orgId: 'bench', userName: 'bench', scopes: ['statuses:write'] });
  const batches: string[] = [];
  let batch: unknown[] = [];
  for (const event of generateEvents(EVENTS)) {
    batch.push(event);
    if (batch.length === BATCH) {
      batches.push(JSON.stringify(batch));
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(JSON.stringify(batch));

  const started = performance.now();
  let next = 0;
  const client = async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const response = await fetch(`${url}/v1/statuses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label.padEnd(10)} ${EVENTS} events in batches of ${BATCH} from ${CLIENTS} client(s): ` +
      `${seconds.toFixed(2)} s, ${Math.round(EVENTS / seconds)} events/s`,
  );
  await app.close();
  await queue.stop();
}

if (values.only !== 'pglite') await withBenchDatabase((database) => run('postgres', database));
if (values.only !== 'pg') {
  const database = createDb({});
  try {
    await migrate(database);
    await run('pglite', database);
  } finally {
    await database.close();
  }
}
