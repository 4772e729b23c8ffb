import { callStoreStatusEvents, withIngestRetries } from '../payloads/ingest.write.ts';
import { sortMessages, type BatchDeps, type SortedMessages } from './bus-batch.ts';
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
 * (a clock put right, a payload moved): those that now make status events
 * are stored and their dead letters deleted, in one transaction; the others
 * stay, with today's reason. Each is read in its own org, as a bus bound to
 * that org would read it (one of no org as an unbound bus would), whatever
 * org the process replaying it is bound to.
 */
export async function replayDeadLetters(deps: Omit<BatchDeps, 'orgId'>, letters: DeadLetterRow[]): Promise<ReplayOutcome> {
  const idOf = new Map<BusMessage, string>();
  const byOrg = new Map<string | null, BusMessage[]>();
  for (const letter of letters) {
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
    const own = byOrg.get(letter.org_id);
    if (own) own.push(message);
    else byOrg.set(letter.org_id, [message]);
  }
  const good: SortedMessages['good'] = [];
  const dead: SortedMessages['dead'] = [];
  for (const [orgId, messages] of byOrg) {
    const sorted = await sortMessages({ ...deps, orgId: orgId ?? undefined }, messages);
    good.push(...sorted.good);
    dead.push(...sorted.dead);
  }
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
