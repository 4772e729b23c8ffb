/**
 * A message taken off a bus, to be acknowledged once what it carries is
 * committed. Another bus (Kafka, Redis streams) is another BusSource: the
 * consumer (bus-consumer.ts) needs nothing more. See the README.
 */
export interface BusMessage {
  /** The body as published. */
  body: Uint8Array;
  subject: string;
  /** Where the message sits: with the stream, it names the message once, redeliveries included. */
  stream: string;
  sequence: number;
  /**
   * When the bus stored it, if it says: a stream deleted and made again numbers
   * its messages anew, and this tells its messages from the old stream's.
   */
  publishedAt?: Date;
  /** Deliveries so far, this one included. */
  deliveries: number;
  /** Set when the bus gave up delivering it (too many deliveries): it can only be a dead letter. */
  givenUp?: string;
  ack(): void;
  /** Asks for the message again after `delayMs`. */
  nak(delayMs: number): void;
}

export interface BusLag {
  /** Messages not delivered yet. */
  pending: number;
  /** Messages delivered and not acknowledged yet. */
  ackPending: number;
}

/** Where status events come from: batches of messages, acknowledged one by one after their batch commits. */
export interface BusSource {
  /** The next messages, at most `max`: waits up to `idleMs` for a first one, then `fillMs` for more. */
  nextBatch(max: number, idleMs: number, fillMs: number): Promise<BusMessage[]>;
  /** Hands back every message taken and not acknowledged, to come again after `delayMs`; the next batch starts afresh. */
  release(delayMs: number): Promise<void>;
  lag(): Promise<BusLag>;
  close(): Promise<void>;
}
