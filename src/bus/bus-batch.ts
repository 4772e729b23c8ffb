import type { Kysely } from 'kysely';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { foreignFields, inOrg } from '../payloads/ingest.org.ts';
import { ingestWindow, validateStatusEvents, type DateWindow, type StatusEvent } from '../payloads/ingest.validate.ts';
import { callStoreStatusEvents, withIngestRetries } from '../payloads/ingest.write.ts';
import type { BusMessage } from './bus-source.ts';
import { keepDeadLetters, type DeadLetter } from './dead-letters.queries.ts';

export interface BatchDeps {
  db: Kysely<Schema>;
  partitions: PartitionKeeper;
  retentionDays: number;
  /** The one org the bus may carry events of (NATS_ORG_ID); every org's when absent. */
  orgId?: string;
  now: () => Date;
}

export interface BatchOutcome {
  stored: number;
  deadLettered: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Why a message's validation refused it: each field and reason. */
function refusal(error: unknown): string {
  if (!(error instanceof AppError)) throw error;
  const details = error.details ?? [];
  return details.length > 0
    ? details.map((detail) => (detail.field ? `${detail.field} ${detail.reason}` : detail.reason)).join('; ')
    : error.message;
}

/** A message's JSON, or why it is not JSON (or was given up on). */
function parseMessage(message: BusMessage): { item: unknown } | string {
  if (message.givenUp) return message.givenUp;
  try {
    return { item: JSON.parse(decoder.decode(message.body)) };
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
}

/** Each item's status event, or why it can never be one: all at once, and one by one only when some are bad. */
function validateItems(items: unknown[], window: DateWindow): (StatusEvent | string)[] {
  if (items.length === 0) return [];
  try {
    return validateStatusEvents(items, items.length, window);
  } catch {
    return items.map((item) => {
      try {
        return validateStatusEvents([item], 1, window)[0];
      } catch (error) {
        return refusal(error);
      }
    });
  }
}

export interface SortedMessages {
  /** The status events to store, each with the message that carried it. */
  good: { message: BusMessage; event: StatusEvent }[];
  dead: DeadLetter[];
}

/** Sorts bus messages into status events and dead letters: not JSON, invalid, another org's, given up on. */
export async function sortMessages(deps: BatchDeps, messages: BusMessage[]): Promise<SortedMessages> {
  const dead: DeadLetter[] = [];
  const parsed: { message: BusMessage; item: unknown }[] = [];
  for (const message of messages) {
    const read = parseMessage(message);
    if (typeof read === 'string') dead.push({ message, reason: read });
    else parsed.push({ message, item: read.item });
  }
  const good: SortedMessages['good'] = [];
  const validated = validateItems(
    parsed.map(({ item }) => item),
    ingestWindow(deps.now(), deps.retentionDays),
  );
  for (const [index, { message }] of parsed.entries()) {
    const event = validated[index];
    if (typeof event === 'string') dead.push({ message, reason: event });
    else good.push({ message, event });
  }
  const { orgId } = deps;
  if (orgId === undefined || good.length === 0) return { good, dead };
  const foreign = await foreignFields(
    deps.db,
    good.map(({ event }) => event),
    orgId,
  );
  for (const [index, field] of foreign.entries()) {
    const reason = `${field} belongs to another org than ${orgId}, the only one this bus carries (NATS_ORG_ID)`;
    if (field) dead.push({ message: good[index].message, reason });
  }
  const own = good.filter((_, index) => !foreign[index]);
  const events = inOrg(
    own.map(({ event }) => event),
    orgId,
  );
  return { good: own.map(({ message }, index) => ({ message, event: events[index] })), dead };
}

/**
 * Stores a batch of bus messages: the status events and the dead letters in
 * one transaction, the events by the same function as POST /v1/statuses. The
 * caller acknowledges the messages once this returns.
 */
export async function storeBusBatch(deps: BatchDeps, messages: BusMessage[]): Promise<BatchOutcome> {
  const { good, dead } = await sortMessages(deps, messages);
  const events = good.map(({ event }) => event);
  const stored = await withIngestRetries(deps.partitions, events, () =>
    deps.db.transaction().execute(async (trx) => {
      const [count] = events.length > 0 ? await callStoreStatusEvents(trx, events, null) : [0];
      await keepDeadLetters(trx, dead, deps.orgId);
      return count;
    }),
  );
  return { stored, deadLettered: dead.length };
}
