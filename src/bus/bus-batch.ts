import type { Kysely } from 'kysely';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { foreignFields, inOrg } from '../payloads/ingest.org.ts';
import { ingestWindow, validateStatusEvents, type StatusEvent } from '../payloads/ingest.validate.ts';
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

/** A message's status event, or why it can never be one. */
function readMessage(message: BusMessage, now: Date, retentionDays: number): StatusEvent | string {
  if (message.givenUp) return message.givenUp;
  let item: unknown;
  try {
    item = JSON.parse(decoder.decode(message.body));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  try {
    return validateStatusEvents([item], 1, ingestWindow(now, retentionDays))[0];
  } catch (error) {
    return refusal(error);
  }
}

export interface SortedMessages {
  /** The status events to store, each with the message that carried it. */
  good: { message: BusMessage; event: StatusEvent }[];
  dead: DeadLetter[];
}

/** Sorts bus messages into status events and dead letters: not JSON, invalid, another org's, given up on. */
export async function sortMessages(deps: BatchDeps, messages: BusMessage[]): Promise<SortedMessages> {
  const now = deps.now();
  const dead: DeadLetter[] = [];
  const good: SortedMessages['good'] = [];
  for (const message of messages) {
    const read = readMessage(message, now, deps.retentionDays);
    if (typeof read === 'string') dead.push({ message, reason: read });
    else good.push({ message, event: read });
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
      await keepDeadLetters(trx, dead);
      return count;
    }),
  );
  return { stored, deadLettered: dead.length };
}
