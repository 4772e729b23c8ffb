import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
import { waitFor } from './wait.ts';

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

/** Why a nats-server of a test's own cannot be started here, or undefined when it can. */
export function natsServerMissing(): string | undefined {
  const found = (process.env.PATH ?? '').split(':').some((where) => fs.existsSync(path.join(where, 'nats-server')));
  return found ? undefined : 'needs nats-server on the PATH';
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A nats-server with JetStream of the test's own on 127.0.0.1:port, for a test that stops it; its store is removed with it. */
export async function startNatsServer(port: number, extraArgs: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-nats-'));
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store, ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      fs.rmSync(store, { recursive: true, force: true });
    })());
  try {
    await waitFor(() => listening(port), { what: `nats-server to listen on ${port}` });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `nats://127.0.0.1:${port}`, stop };
}

export { connectNats };
