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
}

/**
 * The bus consumer as JetStream sees it, for /v1/health of any process (the
 * consumer runs in the worker role): connects on first use, asks each time.
 */
export function busHealthProbe(bus: BusConfig): { probe(): Promise<BusHealth>; close(): Promise<void> } {
  let connection: Promise<NatsConnection> | undefined;
  const names = { stream: bus.stream, consumer: bus.consumer };
  return {
    async probe() {
      try {
        // Connected once (the client reconnects by itself); again only if connecting failed.
        connection ??= connectNats(bus, 'tracker health').catch((error: unknown) => {
          connection = undefined;
          throw error;
        });
        const jsm = await jetstreamManager(await connection, { timeout: 2000 });
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
    },
    async close() {
      await (await connection?.catch(() => undefined))?.close();
    },
  };
}
