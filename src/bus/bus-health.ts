import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusConfig } from '../config.ts';
import { connectNats } from './jetstream-source.ts';

export interface BusHealth {
  /** consuming: a worker is pulling; idle: none is; unreachable: NATS or the consumer cannot be asked. */
  state: 'consuming' | 'idle' | 'unreachable';
  stream: string;
  consumer: string;
  pending?: number;
  ack_pending?: number;
  /** Pull requests open on the consumer: one or more per worker taking messages. */
  waiting_pulls?: number;
  error?: string;
  /** When NATS was last asked (RFC 3339): the state is as it was then. */
  checked_at?: string;
  /** Since when the bus has been in this state: for `unreachable`, about when NATS last answered (or this process began asking). */
  since?: string;
}

/** How often NATS is asked, and how long an answer is waited for. */
const PROBE_EVERY_MS = 2000;
const PROBE_TIMEOUT_MS = 2000;
/** How long after the probe starts a health answer may wait for its first result (the probe starts with the app). */
const FIRST_WAIT_MS = 100;

/**
 * The bus consumer as JetStream sees it, for /v1/health of any process (the
 * consumer runs in the worker role). NATS is asked in the background, every
 * 2 s, and `probe()` answers at once with what it said last: asked inline, a
 * NATS gone quiet held each health check for the 2 s of a request's timeout
 * (20 s while connecting to one that accepts and never speaks).
 */
export function busHealthProbe(bus: BusConfig): { probe(): Promise<BusHealth>; close(): Promise<void> } {
  let connection: Promise<NatsConnection> | undefined;
  const names = { stream: bus.stream, consumer: bus.consumer };
  const startedAt = new Date().toISOString();
  let last: BusHealth | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function ask(): Promise<BusHealth> {
    try {
      // Connected once (the client reconnects by itself); again only if connecting failed.
      connection ??= connectNats(bus, 'tracker health', PROBE_TIMEOUT_MS).catch((error: unknown) => {
        connection = undefined;
        throw error;
      });
      const jsm = await jetstreamManager(await connection, { timeout: PROBE_TIMEOUT_MS });
      const info = await jsm.consumers.info(bus.stream, bus.consumer);
      return {
        state: info.num_waiting > 0 ? 'consuming' : 'idle',
        ...names,
        pending: info.num_pending,
        ack_pending: info.num_ack_pending,
        waiting_pulls: info.num_waiting,
      };
    } catch (error) {
      return { state: 'unreachable', ...names, error: (error as Error).message };
    }
  }

  /** Asks, bounded by the timeout (a connection still being made is waited for at the next round), and keeps the answer. */
  async function round() {
    if (closed) return;
    const answer = await Promise.race([
      ask(),
      sleep(PROBE_TIMEOUT_MS, undefined, { ref: false }).then((): BusHealth => ({
        state: 'unreachable',
        ...names,
        error: `NATS did not answer within ${PROBE_TIMEOUT_MS} ms`,
      })),
    ]);
    const now = new Date().toISOString();
    last = { ...answer, checked_at: now, since: last?.state === answer.state ? last.since : last ? now : startedAt };
    if (!closed) timer = setTimeout(() => void round(), PROBE_EVERY_MS).unref();
  }
  const first = round();

  return {
    async probe() {
      const waitMs = FIRST_WAIT_MS - (Date.now() - Date.parse(startedAt));
      if (!last && waitMs > 0) await Promise.race([first, sleep(waitMs)]);
      return (
        last ?? {
          state: 'unreachable',
          ...names,
          error: `NATS has not answered yet (asked ${Date.now() - Date.parse(startedAt)} ms ago)`,
          since: startedAt,
        }
      );
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await (await connection?.catch(() => undefined))?.close();
    },
  };
}
