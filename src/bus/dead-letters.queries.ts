import type { Kysely, Selectable } from 'kysely';
import type { DeadLettersTable, Schema } from '../db/schema.ts';
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

/** Which dead letters a list, a replay or a deletion is about. */
export interface DeadLetterFilter {
  ids?: string[];
  /** Part of the reason, any case. */
  reason?: string;
  subject?: string;
  receivedFrom?: string;
  receivedBefore?: string;
}

export type DeadLetterRow = Selectable<DeadLettersTable>;

function filtered(db: Kysely<Schema>, filter: DeadLetterFilter) {
  let query = db.selectFrom('dead_letters');
  if (filter.ids) query = query.where('id', 'in', filter.ids.length > 0 ? filter.ids : ['0']);
  if (filter.reason) query = query.where('reason', 'ilike', `%${filter.reason.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.receivedFrom) query = query.where('received_at', '>=', filter.receivedFrom);
  if (filter.receivedBefore) query = query.where('received_at', '<', filter.receivedBefore);
  return query;
}

/** A page of dead letters, newest first or oldest first, and how many match in all. */
export async function listDeadLetters(
  db: Kysely<Schema>,
  filter: DeadLetterFilter,
  { page, pageSize, newestFirst }: { page: number; pageSize: number; newestFirst: boolean },
): Promise<{ count: number; rows: DeadLetterRow[] }> {
  const [{ count }] = await filtered(db, filter)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .execute();
  const rows = await filtered(db, filter)
    .selectAll()
    .orderBy('received_at', newestFirst ? 'desc' : 'asc')
    .orderBy('id', newestFirst ? 'desc' : 'asc')
    .limit(pageSize)
    .offset(page * pageSize)
    .execute();
  return { count: Number(count), rows };
}

export async function getDeadLetter(db: Kysely<Schema>, id: string): Promise<DeadLetterRow | undefined> {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The oldest `limit` dead letters of a filter, for a replay. */
export async function deadLettersToReplay(db: Kysely<Schema>, filter: DeadLetterFilter, limit: number): Promise<DeadLetterRow[]> {
  return filtered(db, filter).selectAll().orderBy('id').limit(limit).execute();
}

export async function deleteDeadLetters(db: Kysely<Schema>, filter: DeadLetterFilter): Promise<number> {
  let query = db.deleteFrom('dead_letters');
  // The same conditions as the lists', on the table being deleted from.
  query = query.where('id', 'in', filtered(db, filter).select('id'));
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
