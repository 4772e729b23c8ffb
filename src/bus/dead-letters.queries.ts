import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { BusMessage } from './bus-source.ts';

export interface DeadLetter {
  message: BusMessage;
  reason: string;
}

/** Keeps dead letters; one already kept (a redelivery after a crash) is left as it is. */
export async function keepDeadLetters(db: Kysely<Schema>, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await db
    .insertInto('dead_letters')
    .values(
      letters.map(({ message, reason }) => ({
        stream: message.stream,
        stream_sequence: String(message.sequence),
        subject: message.subject,
        body: Buffer.from(message.body),
        reason,
        deliveries: message.deliveries,
      })),
    )
    .onConflict((conflict) => conflict.columns(['stream', 'stream_sequence']).doNothing())
    .execute();
}
