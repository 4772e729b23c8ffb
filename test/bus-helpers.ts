import crypto from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { natsMissing as natsMissingAt } from '../bench/jetstream.ts';
import { loadConfig, type BusConfig } from '../src/config.ts';
import { startBusConsumer } from '../src/bus/bus-consumer.ts';
import { connectNats, givenUpStream, JetStreamSource } from '../src/bus/jetstream-source.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import type { TestApp } from './helpers.ts';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Why the bus tests cannot run here (no nats-server answering), or undefined when they can. */
export const natsMissing = () => natsMissingAt(NATS_URL);

/** A bus of its own for a test: stream, subject and consumer no other test uses. */
export function testBus(overrides: Record<string, string> = {}): BusConfig {
  const tag = crypto.randomBytes(4).toString('hex');
  return loadConfig({
    NATS_URL,
    NATS_STREAM: `TEST_${tag}`,
    NATS_SUBJECT: `test.${tag}.payload-status`,
    NATS_CONSUMER: 'tracker',
    NATS_BATCH_WAIT: '20ms',
    ...overrides,
  }).bus!;
}

/** Publishes each body (an object is sent as JSON) and waits for JetStream to have stored them all. */
export async function publish(connection: NatsConnection, bus: BusConfig, bodies: (object | string)[]): Promise<void> {
  const js = jetstream(connection);
  const encoder = new TextEncoder();
  for (let i = 0; i < bodies.length; i += 500) {
    await Promise.all(
      bodies
        .slice(i, i + 500)
        .map((body) => js.publish(bus.subject, encoder.encode(typeof body === 'string' ? body : JSON.stringify(body)))),
    );
  }
}

/** Deletes the test's streams (and so their consumers). */
export async function dropBus(connection: NatsConnection, bus: BusConfig): Promise<void> {
  const jsm = await jetstreamManager(connection);
  for (const stream of [bus.stream, givenUpStream(bus)]) await jsm.streams.delete(stream).catch(() => {});
}

/** A consumer in this process, on the test app's database. */
export async function startTestConsumer(app: TestApp, bus: BusConfig, metrics: Metrics = createMetrics(), now = () => new Date()) {
  const source = await JetStreamSource.open(bus, 'tracker test');
  const consumer = startBusConsumer({
    source,
    bus,
    db: app.database.db,
    partitions: new PartitionKeeper(app.database.db),
    retentionDays: app.config.retentionDays,
    orgId: bus.orgId,
    now,
    metrics,
    log: pino({ level: 'silent' }),
  });
  let stopped: Promise<void> | undefined;
  return { metrics, stop: () => (stopped ??= consumer.stop()) };
}

export { connectNats };
