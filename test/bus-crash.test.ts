import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { startBusConsumer } from '../src/bus/bus-consumer.ts';
import { JetStreamSource } from '../src/bus/jetstream-source.ts';
import { createDb, type Database } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import type { Schema } from '../src/db/schema.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { createMetrics } from '../src/metrics.ts';
import { freePort } from '../bench/server-process.ts';
import { connectNats, dropBus, natsMissing, publish, testBus } from './bus-helpers.ts';
import { startDatabaseRelay } from './db-relay.ts';
import { waitFor } from './wait.ts';

const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
const skip = !process.env.TEST_DATABASE_URL ? 'needs TEST_DATABASE_URL' : await natsMissing();

/** Event `index`, its status message naming it, so that each is told apart from every other. */
const event = (index: number) => ({
  request_id: `c4a${String(Math.floor(index / 10)).padStart(29, '0')}`,
  service: `svc${index % 10}`,
  status: 'processing',
  status_msg: `event ${index}`,
  date: new Date(Date.now() - 3600_000).toISOString(),
});

async function stored(db: Kysely<Schema>): Promise<{ statuses: number; distinct: number; dead: number }> {
  const { rows } = await sql<{ statuses: number; distinct: number; dead: number }>`
    select count(*)::int as statuses, count(distinct status_msg)::int as distinct,
      (select count(*)::int from dead_letters) as dead
    from payload_statuses`.execute(db);
  return rows[0];
}

/** `tracker serve --roles worker` consuming `bus`; resolves once it consumes. */
function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--roles', 'worker'], { env });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('bus: consuming')) resolve(child);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code, signal) => reject(new Error(`the worker exited with ${code ?? signal}: ${output}`)));
  });
}

describe('the bus consumer through crashes and outages', { skip }, () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>>;
  let database: Database;
  let connection: NatsConnection;
  before(async () => {
    server = await createServerDatabase(process.env.TEST_DATABASE_URL!);
    database = createDb({ databaseUrl: server.url });
    await migrate(database);
    connection = await connectNats(testBus(), 'tracker tests');
  });
  after(async () => {
    await connection?.close();
    await database?.close();
    await server?.drop();
  });

  test(
    'killed with kill -9 in the middle of 100,000 messages and started again: none lost, none stored twice',
    { timeout: 240_000 },
    async () => {
      await sql`truncate payloads, payload_statuses, dead_letters cascade`.execute(database.db);
      const bus = testBus();
      const env = {
        ...process.env,
        DATABASE_URL: server.url,
        LOG_LEVEL: 'info',
        REPORTS_DIR: path.join(os.tmpdir(), `tracker-bus-crash-${process.pid}`),
        NATS_URL: bus.url,
        NATS_STREAM: bus.stream,
        NATS_SUBJECT: bus.subject,
        NATS_CONSUMER: bus.consumer,
        METRICS_PORT: String(await freePort()),
      };
      let worker = await startWorker(env);
      try {
        const total = 100_000;
        const publishing = publish(
          connection,
          bus,
          Array.from({ length: total }, (_, index) => event(index)),
        );
        await waitFor(async () => (await stored(database.db)).statuses >= 20_000, { timeoutMs: 120_000 });
        worker.kill('SIGKILL');
        await new Promise((resolve) => worker.once('exit', resolve));
        const atKill = (await stored(database.db)).statuses;
        worker = await startWorker(env);
        await publishing;
        await waitFor(async () => (await stored(database.db)).statuses >= total, { timeoutMs: 180_000 });
        // Redeliveries after the kill have had time to arrive by now; none adds a status.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual(await stored(database.db), { statuses: total, distinct: total, dead: 0 });
        assert.ok(atKill < total, `killed with ${atKill} of ${total} stored`);
        // The worker-only process shows its bus metrics on METRICS_PORT: the second stored the rest.
        const metrics = await (await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`)).text();
        const storedBySecond = Number(/^tracker_bus_stored_messages (\d+)$/m.exec(metrics)?.[1]);
        assert.equal(storedBySecond, total - atKill);
      } finally {
        worker.kill('SIGKILL');
        await dropBus(connection, bus);
      }
    },
  );

  test('a database outage while messages arrive loses none: they wait on the bus until it answers', { timeout: 150_000 }, async () => {
    await sql`truncate payloads, payload_statuses, dead_letters cascade`.execute(database.db);
    const bus = testBus();
    const relay = await startDatabaseRelay(server.url);
    const viaRelay = createDb({ databaseUrl: relay.url });
    const consumer = startBusConsumer({
      source: await JetStreamSource.open(bus, 'tracker outage test'),
      bus,
      db: viaRelay.db,
      partitions: new PartitionKeeper(viaRelay.db),
      retentionDays: 30,
      now: () => new Date(),
      metrics: createMetrics(),
      log: pino({ level: process.env.DEBUG_BUS ? 'debug' : 'silent' }),
    });
    try {
      await publish(
        connection,
        bus,
        Array.from({ length: 1000 }, (_, index) => event(index)),
      );
      await waitFor(async () => (await stored(database.db)).statuses === 1000, { what: 'the first 1000 stored' });
      relay.cut();
      await publish(
        connection,
        bus,
        Array.from({ length: 2000 }, (_, index) => event(1000 + index)),
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal((await stored(database.db)).statuses, 1000, 'nothing stored while the database is out of reach');
      await relay.restore();
      // Those sent to the consumer as the database went are back within the ack wait (30 s).
      await waitFor(async () => (await stored(database.db)).statuses === 3000, { timeoutMs: 90_000, what: 'all 3000 stored' });
      assert.deepEqual(await stored(database.db), { statuses: 3000, distinct: 3000, dead: 0 });
    } finally {
      await consumer.stop();
      relay.close();
      await viaRelay.close();
      await dropBus(connection, bus);
    }
  });
});
