import net from 'node:net';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Consumer, ConsumerConfig, ConsumerMessages, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BusConfig } from '../config.ts';
import type { BusLag, BusMessage, BusSource } from './bus-source.ts';
import { Gatherer } from './gather.ts';
import { decodedUrlPart } from '../redact.ts';

const nanos = (ms: number) => ms * 1_000_000;
/**
 * A message stays ours this long after delivery (a batch is stored well
 * within it); a worker killed holding messages has them sent to another after it.
 */
const ACK_WAIT_MS = 30_000;
/**
 * How long a pull request stays open. Short, because one still open when its
 * worker stops taking messages (the database out of reach) sends them to an
 * inbox nobody reads, and they come back only after ACK_WAIT_MS.
 */
const PULL_EXPIRES_MS = 2000;

/** The subject on which JetStream says it gave up on a message of `stream` for `consumer`. */
export const maxDeliveriesSubject = (bus: BusConfig) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${bus.stream}.${bus.consumer}`;
/** The stream that keeps those advisories, so that a worker down when one was sent still reads it. */
export const givenUpStream = (bus: BusConfig) => `${bus.stream}_GIVEN_UP`;

/** Connects to NATS for Tracker: named, reconnecting for ever; a first connection not made within `timeoutMs` fails. */
export async function connectNats(bus: BusConfig, name: string, timeoutMs = 20_000): Promise<NatsConnection> {
  const url = new URL(bus.url);
  await greeted(url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', Number(url.port || 4222), timeoutMs);
  return connect({
    servers: url.host || bus.url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    timeout: timeoutMs,
    ...credentialsOf(url),
  });
}

/** The credentials of a NATS URL (`nats://user:password@host`, or `nats://token@host`), which `servers` above leaves out. */
function credentialsOf(url: URL): { user?: string; pass?: string; token?: string } {
  if (!url.username) return {};
  const user = decodedUrlPart(url.username);
  return url.password ? { user, pass: decodedUrlPart(url.password) } : { token: user };
}

/**
 * Resolves once the server at host:port speaks first, as NATS does (INFO);
 * fails when it refuses, closes or stays silent for `timeoutMs`. Asked before
 * the client connects because nats.js leaves the socket of a first connection
 * that timed out open (its transport ignores close() until connected): one
 * more socket at every try at a NATS that accepts and never answers.
 */
function greeted(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`NATS at ${host}:${port} accepted a connection and said nothing for ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('data', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? new Error('connection refused') : error));
    socket.once('close', () => done(new Error(`NATS at ${host}:${port} closed the connection before it spoke`)));
  });
}

/**
 * Makes the stream and the durable consumer when they are missing, or uses
 * those there: Limits retention (a new consumer can replay up to `maxAge`),
 * explicit acks, `maxDeliver` deliveries; and the stream that captures
 * JetStream's max-deliveries advisories for that consumer, with its own
 * durable consumer of the same name.
 */
export async function ensureStreams(jsm: JetStreamManager, bus: BusConfig): Promise<void> {
  const limits = { retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: nanos(bus.maxAgeMs) };
  await ensureStream(jsm, { name: bus.stream, subjects: [bus.subject], ...limits }, bus.subject);
  await ensureStream(jsm, { name: givenUpStream(bus), subjects: [maxDeliveriesSubject(bus)], ...limits }, maxDeliveriesSubject(bus));
  const consumer = {
    durable_name: bus.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ACK_WAIT_MS),
    // Room for every worker's batch and the one it has asked for next.
    max_ack_pending: 20 * bus.batchSize,
  };
  await ensureConsumer(jsm, bus.stream, { ...consumer, filter_subject: bus.subject, max_deliver: bus.maxDeliver });
  await ensureConsumer(jsm, givenUpStream(bus), consumer);
}

async function ensureStream(jsm: JetStreamManager, config: { name: string; subjects: string[] }, subject: string) {
  const existing = await jsm.streams.info(config.name).catch(notFound);
  if (!existing) {
    await jsm.streams.add(config);
    return;
  }
  if (!existing.config.subjects?.some((pattern) => subjectMatches(pattern, subject))) {
    throw new Error(
      `the stream ${config.name} exists but does not take ${subject} (its subjects: ${existing.config.subjects?.join(', ')})`,
    );
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }) {
  if (!(await jsm.consumers.info(stream, config.durable_name).catch(notFound))) await jsm.consumers.add(stream, config);
}

/** A JetStream "not found" (stream or consumer) as undefined; anything else is thrown. */
function notFound(error: unknown): undefined {
  if (/not found/i.test(String((error as Error).message))) return undefined;
  throw error;
}

/** Whether a subject pattern (with * and > wildcards) takes `subject`. */
function subjectMatches(pattern: string, subject: string): boolean {
  const want = subject.split('.');
  const tokens = pattern.split('.');
  return (
    tokens.every((token, index) => token === '>' || (index < want.length && (token === '*' || token === want[index]))) &&
    (tokens.at(-1) === '>' ? want.length >= tokens.length : want.length === tokens.length)
  );
}

interface Advisory {
  stream: string;
  stream_seq: number;
  deliveries: number;
}

/**
 * Status events from a JetStream durable consumer (pull, explicit acks).
 * Messages JetStream gave up on come too, marked `givenUp`, read back from
 * the advisories stream with their original body, so they end as dead letters.
 */
export class JetStreamSource implements BusSource {
  readonly #connection: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #bus: BusConfig;
  readonly #consumers: { events: Consumer; givenUp: Consumer };
  #events?: { messages: ConsumerMessages; gatherer: Gatherer<JsMsg> };
  #givenUp?: { messages: ConsumerMessages; gatherer: Gatherer<JsMsg> };
  /** Taken and not yet acknowledged or handed back, so that release() can hand them back. */
  readonly #unsettled = new Set<JsMsg>();

  private constructor(
    connection: NatsConnection,
    jsm: JetStreamManager,
    bus: BusConfig,
    consumers: { events: Consumer; givenUp: Consumer },
  ) {
    this.#connection = connection;
    this.#jsm = jsm;
    this.#bus = bus;
    this.#consumers = consumers;
  }

  static async open(bus: BusConfig, name = 'tracker'): Promise<JetStreamSource> {
    const connection = await connectNats(bus, name);
    try {
      const jsm = await jetstreamManager(connection);
      await ensureStreams(jsm, bus);
      const js = jetstream(connection);
      const consumers = {
        events: await js.consumers.get(bus.stream, bus.consumer),
        givenUp: await js.consumers.get(givenUpStream(bus), bus.consumer),
      };
      return new JetStreamSource(connection, jsm, bus, consumers);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  async nextBatch(max: number, idleMs: number, fillMs: number): Promise<BusMessage[]> {
    this.#givenUp ??= await this.#consume(this.#consumers.givenUp, 100);
    this.#events ??= await this.#consume(this.#consumers.events, 4 * max);
    for (const source of [this.#givenUp, this.#events]) {
      // Thrown, so that the consumer hands back what it holds, waits, and consumes anew.
      if (source.gatherer.done) throw new Error('the JetStream consumer stopped delivering');
    }
    const givenUp = await Promise.all(this.#givenUp.gatherer.drain().map((advisory) => this.#original(advisory)));
    const events = await this.#events.gatherer.take(max - givenUp.length, givenUp.length > 0 ? 0 : idleMs, fillMs);
    return [
      ...givenUp,
      ...events.map((message) => this.#wrap(message, message.data, message.subject, message.seq, message.info.deliveryCount, message.time)),
    ];
  }

  /**
   * Consumes with a callback, which keeps `buffered` messages asked for ahead.
   * The client asks again as soon as they are handed over, so what a worker
   * holds is bounded by the consumer's max_ack_pending, not by `buffered`.
   */
  async #consume(consumer: Consumer, buffered: number) {
    const gatherer = new Gatherer<JsMsg>();
    const messages = await consumer.consume({
      max_messages: buffered,
      expires: PULL_EXPIRES_MS,
      callback: (message) => gatherer.push(message),
    });
    void messages.closed().finally(() => gatherer.end());
    return { messages, gatherer };
  }

  /** The message an advisory is about, as the stream still holds it (or an empty body if it has aged out). */
  async #original(advisory: JsMsg): Promise<BusMessage> {
    const about = advisory.json<Advisory>();
    const stored = await this.#jsm.streams.getMessage(about.stream, { seq: about.stream_seq }).catch(() => null);
    const message = this.#wrap(
      advisory,
      stored?.data ?? new Uint8Array(),
      stored?.subject ?? this.#bus.subject,
      about.stream_seq,
      about.deliveries,
      // Aged out, the message has no time left; its advisory's is as stable across deliveries.
      stored?.time ?? advisory.time,
    );
    message.givenUp = stored
      ? `delivered ${about.deliveries} times without being stored (NATS_MAX_DELIVER)`
      : `delivered ${about.deliveries} times without being stored (NATS_MAX_DELIVER), and no longer in the stream`;
    return message;
  }

  #wrap(settle: JsMsg, body: Uint8Array, subject: string, sequence: number, deliveries: number, publishedAt: Date): BusMessage {
    this.#unsettled.add(settle);
    return {
      body,
      subject,
      stream: this.#bus.stream,
      sequence,
      publishedAt,
      deliveries,
      ack: () => {
        this.#unsettled.delete(settle);
        settle.ack();
      },
      nak: (delayMs) => {
        this.#unsettled.delete(settle);
        settle.nak(delayMs);
      },
    };
  }

  async release(delayMs: number): Promise<void> {
    for (const source of [this.#events, this.#givenUp]) {
      if (!source) continue;
      // What the client holds already goes back too; closing would drop it, to come back only after the ack wait.
      for (const message of source.gatherer.drain()) this.#unsettled.add(message);
      await source.messages.close();
    }
    this.#events = this.#givenUp = undefined;
    for (const message of this.#unsettled) message.nak(delayMs);
    this.#unsettled.clear();
  }

  async lag(): Promise<BusLag> {
    const info = await this.#consumers.events.info();
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  async close(): Promise<void> {
    await this.release(0).catch(() => {});
    await this.#connection.drain().catch(() => this.#connection.close());
  }
}
