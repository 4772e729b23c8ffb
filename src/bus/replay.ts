import { callStoreStatusEvents, withIngestRetries } from '../payloads/ingest.write.ts';
import { sortMessages, type BatchDeps } from './bus-batch.ts';
import type { BusMessage } from './bus-source.ts';
import type { DeadLetterRow } from './dead-letters.queries.ts';

export interface ReplayOutcome {
  /** Dead letters read again. */
  replayed: number;
  /** Of those, the ones now status events (their dead letters are gone). */
  stored: number;
  /** Of those, the ones still refused, kept with the reason found now. */
  still_dead: number;
}

/**
 * Reads dead letters again as if they had just come off the bus, after a fix
 * (a clock put right, NATS_ORG_ID changed, a payload moved): those that now
 * make status events are stored and their dead letters deleted, in one
 * transaction; the others stay, with today's reason.
 */
export async function replayDeadLetters(deps: BatchDeps, letters: DeadLetterRow[]): Promise<ReplayOutcome> {
  const idOf = new Map<BusMessage, string>();
  const messages = letters.map((letter) => {
    const message: BusMessage = {
      body: letter.body,
      subject: letter.subject,
      stream: letter.stream,
      sequence: Number(letter.stream_sequence),
      deliveries: letter.deliveries,
      ack: () => {},
      nak: () => {},
    };
    idOf.set(message, letter.id);
    return message;
  });
  const { good, dead } = await sortMessages(deps, messages);
  const events = good.map(({ event }) => event);
  await withIngestRetries(deps.partitions, events, () =>
    deps.db.transaction().execute(async (trx) => {
      if (events.length > 0) await callStoreStatusEvents(trx, events, null);
      const replayedIds = good.map(({ message }) => idOf.get(message)!);
      if (replayedIds.length > 0) await trx.deleteFrom('dead_letters').where('id', 'in', replayedIds).execute();
      for (const { message, reason } of dead) {
        await trx.updateTable('dead_letters').set({ reason }).where('id', '=', idOf.get(message)!).execute();
      }
    }),
  );
  return { replayed: letters.length, stored: good.length, still_dead: dead.length };
}
