import crypto from 'node:crypto';
import net from 'node:net';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { connectNats, givenUpStream } from '../src/bus/jetstream-source.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { byDate, generateEvents, utcDays } from './events.ts';
import { startProcess, workerNodeFlags } from './server-process.ts';
import { createTarget, withOpen, type TargetKind } from './targets.ts';

export const BENCH_NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface JetStreamFigures {
  /** Events a second a worker stored from a backlog of them on the bus, from its start to the last commit. */
  consumedPerSecond: number;
  /** Events a second the bench's publisher put on the bus, acknowledged by JetStream. */
  publishedPerSecond: number;
  /** The consumer's lag (pending + ack pending), sampled each second while it ran. */
  lag: number[];
}

/** Why nothing can use the nats-server at `url` (none answers there), or undefined when something can. */
export function natsMissing(url = BENCH_NATS_URL): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 4222), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', () => resolve(`no nats-server at ${url}: start one with JetStream (nats-server -js)`));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `events` status events published one per message on a fresh stream, then
 * consumed into a fresh database by a Tracker worker process (`serve --roles
 * worker`, as operators run it), timed from its start to the last commit; the
 * consumer's lag is sampled every second.
 */
export async function benchJetStream(kind: TargetKind, events: number): Promise<JetStreamFigures> {
  const tag = crypto.randomBytes(4).toString('hex');
  const env = {
    NATS_URL: BENCH_NATS_URL,
    NATS_STREAM: `BENCH_${tag}`,
    NATS_SUBJECT: `bench.${tag}.payload-status`,
    NATS_CONSUMER: 'tracker',
  };
  const bus = loadConfig(env).bus!;
  const generated = generateEvents(events).sort(byDate);
  const encoder = new TextEncoder();
  const bodies = generated.map((event) => encoder.encode(JSON.stringify(event)));
  const target = await createTarget(kind);
  const connection = await connectNats(bus, 'tracker bench');
  const jsm = await jetstreamManager(connection);
  const js = jetstream(connection);
  try {
    await withOpen(target, (database) => new PartitionKeeper(database.db).ensure(utcDays(generated)));
    await jsm.streams.add({ name: bus.stream, subjects: [bus.subject] });
    const publishing = performance.now();
    for (let i = 0; i < bodies.length; i += 1000) {
      await Promise.all(bodies.slice(i, i + 1000).map((body) => js.publish(bus.subject, body)));
    }
    const publishedPerSecond = events / ((performance.now() - publishing) / 1000);
    const lag: number[] = [];
    const sampler = setInterval(() => {
      void jsm.consumers.info(bus.stream, bus.consumer).then(
        (info) => lag.push(info.num_pending + info.num_ack_pending),
        () => {},
      );
    }, 1000);
    const started = performance.now();
    const worker = startProcess(
      ['src/main.ts', 'serve', '--roles', 'worker'],
      { ...target.serverEnv, ...env, LOG_LEVEL: 'warn' },
      workerNodeFlags(),
    );
    try {
      // Done when the consumer it made has every message acknowledged (nothing pending, nothing in flight).
      for (;;) {
        const info = await jsm.consumers.info(bus.stream, bus.consumer).catch(() => undefined);
        if (info && info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq >= events) break;
        await sleep(50);
      }
      const consumedPerSecond = events / ((performance.now() - started) / 1000);
      clearInterval(sampler);
      await withOpen(target, async (database) => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from payload_statuses`.execute(database.db);
        if (rows[0].n !== events) throw new Error(`the worker stored ${rows[0].n} of ${events} events`);
      }).catch(async (error: unknown) => {
        // The embedded database belongs to the worker until it stops.
        if (kind === 'postgres') throw error;
      });
      return { consumedPerSecond, publishedPerSecond, lag };
    } finally {
      clearInterval(sampler);
      await worker.stop();
    }
  } finally {
    for (const stream of [bus.stream, givenUpStream(bus)]) await jsm.streams.delete(stream).catch(() => {});
    await connection.close();
    await target.drop();
  }
}
