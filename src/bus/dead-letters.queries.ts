import type { Kysely, Selectable } from 'kysely';
import type { DeadLettersTable, Schema } from '../db/schema.ts';
import { ID_MAX } from '../payloads/ingest.validate.ts';
import type { BusMessage } from './bus-source.ts';

export interface DeadLetter {
  message: BusMessage;
  reason: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The org_id a message's body names, when it is JSON naming one that could be stored (validation may have refused it). */
function namedOrg(body: Uint8Array): string | undefined {
  let item: unknown;
  try {
    item = JSON.parse(decoder.decode(body));
  } catch {
    return undefined;
  }
  const orgId = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).org_id : undefined;
  const org = typeof orgId === 'string' || typeof orgId === 'number' ? String(orgId).trim() : '';
  return org !== '' && org !== 'None' && org.length <= ID_MAX && !org.includes('\u0000') ? org : undefined;
}

/**
 * Keeps dead letters, each in the org of the bus (`busOrgId`, NATS_ORG_ID),
 * else the one its message names: a bus bound to an org carries nothing of
 * another's, and a message naming another org there is that bus's mistake.
 * One already kept (a redelivery after a crash) is left as it is.
 */
export async function keepDeadLetters(db: Kysely<Schema>, letters: DeadLetter[], busOrgId: string | undefined): Promise<void> {
  if (letters.length === 0) return;
  await db
    .insertInto('dead_letters')
    .values(
      letters.map(({ message, reason }) => ({
        stream: message.stream,
        stream_sequence: String(message.sequence),
        published_at: message.publishedAt?.toISOString() ?? null,
        subject: message.subject,
        body: Buffer.from(message.body),
        reason,
        deliveries: message.deliveries,
        org_id: busOrgId ?? namedOrg(message.body) ?? null,
      })),
    )
    .onConflict((conflict) => conflict.columns(['stream', 'stream_sequence', 'published_at']).doNothing())
    .execute();
}

/** Which dead letters a list, a replay or a deletion is about. */
export interface DeadLetterFilter {
  /** The org whose letters they are; every org's (those of none included) when absent. */
  orgId?: string;
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
  if (filter.orgId !== undefined) query = query.where('org_id', '=', filter.orgId);
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

/** One dead letter, if it is `orgId`'s (any org's when absent). */
export async function getDeadLetter(db: Kysely<Schema>, id: string, orgId: string | undefined): Promise<DeadLetterRow | undefined> {
  return filtered(db, { orgId, ids: [id] })
    .selectAll()
    .executeTakeFirst();
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
