import { setTimeout as sleep } from 'node:timers/promises';
import type pino from 'pino';
import { sql } from 'kysely';
import type { BusConfig } from '../config.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { Metrics } from '../metrics.ts';
import { redactUrl } from '../redact.ts';
import { storeBusBatch, type BatchDeps } from './bus-batch.ts';
import type { BusMessage, BusSource } from './bus-source.ts';
import { keepDeadLetters } from './dead-letters.queries.ts';

export interface BusConsumerDeps extends BatchDeps {
  /**
   * The source, or how to open it: then it is opened in the background and
   * opened again, backing off, while the bus is out of reach, so that a worker
   * (and the API beside it) runs without the bus and consumes once it answers.
   */
  source: BusSource | (() => Promise<BusSource>);
  bus: BusConfig;
  metrics: Metrics;
  log: pino.Logger;
}

/** How long a first message is waited for before the loop looks around (to stop, to report lag). */
const IDLE_MS = 1000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const LAG_EVERY_MS = 5000;
/** Batches stored at once by one worker: the database works on one while the next is read and validated. */
const STORES_AT_ONCE = 2;

/**
 * Says once that the bus went out of reach, and once that it answers again:
 * a worker waiting out a long outage would otherwise log a line (and a stack)
 * every try. The tries in between are logged at debug level.
 */
function outageLog(log: pino.Logger) {
  let down: { sinceMs: number } | undefined;
  return {
    failed(error: unknown, what: string) {
      const message = `bus: ${what}: ${(error as Error).message}`;
      if (down) return log.debug(message);
      down = { sinceMs: Date.now() };
      log.warn(`${message}; trying again in the background, backing off to ${MAX_BACKOFF_MS / 1000} s between tries`);
    },
    answered(what: string) {
      if (!down) return;
      log.info(`bus: NATS answers again after ${Math.round((Date.now() - down.sinceMs) / 1000)} s; ${what}`);
      down = undefined;
    },
  };
}

/**
 * Consumes status events from the bus until stopped, at least once and never
 * lost: a batch (up to NATS_BATCH_SIZE messages, NATS_BATCH_WAIT to fill) is
 * stored with its dead letters in one transaction, and each message is
 * acknowledged only after that commits. A crash before the acks means
 * redelivery, which the statuses' dedup key and the dead letters' key
 * (stream, sequence, time stored) absorb. While the database is out of reach the batch is handed
 * back with a delay and the loop waits for the database, backing off, so
 * deliveries are not spent in a tight loop. A batch the database refuses is
 * stored message by message, and a message it still refuses becomes a dead letter.
 * NATS out of reach, at the start or later, is waited for the same way, in the
 * background and said once, so that it stops nothing else in the process.
 */
export function startBusConsumer(deps: BusConsumerDeps): { stop(): Promise<void> } {
  const { bus, metrics, log } = deps;
  let source: BusSource | undefined;
  let stopping = false;
  let lagAt = 0;
  const busOutage = outageLog(log);
  // Stopping cuts every wait short, a backoff of 30 s included.
  const stopped = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopped.signal }).catch(() => {});
  const halted = new Promise<'stopped'>((resolve) => stopped.signal.addEventListener('abort', () => resolve('stopped')));

  /** The source once it opens, or undefined when stopped first. */
  async function openSource(): Promise<BusSource | undefined> {
    const open = deps.source;
    if (typeof open !== 'function') return open;
    for (let backoff = FIRST_BACKOFF_MS; !stopping; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      const opening = open();
      try {
        const opened = await Promise.race([opening, halted]);
        if (opened !== 'stopped') return opened;
        // Opened after all, too late: closed once it is.
        void opening.then((late) => late.close()).catch(() => {});
        return undefined;
      } catch (error) {
        busOutage.failed(error, `cannot reach NATS at ${redactUrl(bus.url)}`);
      }
      await pause(backoff);
    }
    return undefined;
  }

  async function waitForDatabase() {
    for (let backoff = FIRST_BACKOFF_MS; !stopping; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      await pause(backoff);
      try {
        await sql`select 1`.execute(deps.db);
        log.info('bus: the database answers again; consuming');
        return;
      } catch {
        // still out of reach
      }
    }
  }

  /** Stores a batch; false when the database was out of reach (the batch is to be handed back). */
  async function store(batch: BusMessage[]): Promise<boolean> {
    const timer = metrics.busBatchSeconds.startTimer();
    try {
      const outcome = await storeBusBatch(deps, batch);
      for (const message of batch) message.ack();
      metrics.busStored.inc(outcome.stored);
      metrics.busDeadLettered.inc(outcome.deadLettered);
      timer();
      return true;
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        log.warn(
          { err: error },
          `bus: the database is out of reach; ${batch.length} messages handed back, consuming again once it answers`,
        );
        return false;
      }
      if (batch.length > 1) {
        log.warn({ err: error }, `bus: the database refused a batch of ${batch.length}; storing its messages one by one`);
        for (const message of batch) if (!(await store([message]))) return false;
        return true;
      }
      const [message] = batch;
      log.error({ err: error, sequence: message.sequence }, 'bus: the database refused a message; kept as a dead letter');
      await keepDeadLetters(deps.db, [{ message, reason: `refused by the database: ${(error as Error).message}` }], deps.orgId);
      message.ack();
      metrics.busDeadLettered.inc();
      return true;
    }
  }

  async function reportLag(from: BusSource) {
    if (Date.now() - lagAt < LAG_EVERY_MS) return;
    lagAt = Date.now();
    const lag = await from.lag();
    metrics.busPending.set(lag.pending);
    metrics.busAckPending.set(lag.ackPending);
  }

  async function run() {
    const opened = await openSource();
    if (!opened) return;
    source = opened;
    busOutage.answered('consuming');
    log.info(`bus: consuming ${bus.subject} from the stream ${bus.stream} as ${bus.consumer}`);
    let backoff = FIRST_BACKOFF_MS;
    // Batches being stored; the next is taken off the bus meanwhile.
    const storing = new Set<Promise<boolean>>();
    let outage = false;
    while (!stopping) {
      try {
        while (storing.size >= STORES_AT_ONCE) await Promise.race(storing);
        if (outage) {
          await Promise.all(storing);
          // Handed back with a short delay: nothing more is taken until the database answers.
          await opened.release(FIRST_BACKOFF_MS);
          await waitForDatabase();
          outage = false;
          continue;
        }
        await reportLag(opened);
        const batch = await opened.nextBatch(bus.batchSize, IDLE_MS, bus.batchWaitMs);
        backoff = FIRST_BACKOFF_MS;
        busOutage.answered('consuming again');
        if (batch.length === 0) continue;
        metrics.busConsumed.inc(batch.length);
        const stored: Promise<boolean> = store(batch)
          .catch((error: unknown) => {
            // Not the database's refusal (handled in store) nor its absence: wait as for an outage, then try again.
            log.error({ err: error }, 'bus: a batch could not be stored; it will come again');
            return false;
          })
          .then((ok) => {
            if (!ok) outage = true;
            storing.delete(stored);
            return ok;
          });
        storing.add(stored);
      } catch (error) {
        // The bus itself failed (the client reconnects by itself): whatever was taken comes again.
        busOutage.failed(error, 'taking messages failed');
        await Promise.all(storing);
        await opened.release(backoff).catch(() => {});
        await pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    await Promise.all(storing);
  }

  const running = run();
  return {
    async stop() {
      stopping = true;
      stopped.abort();
      await running;
      await source?.close();
    },
  };
}
