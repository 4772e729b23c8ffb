import type { ItemProblems } from '../validation-errors.ts';
import { validateBatch, validateBatchInSteps, type Fail } from '../shared/batch.ts';
import { canonicalRequestId, canonicalUuid, REQUEST_ID_RULE } from '../shared/request-id.ts';
import { parseTimestamp } from '../shared/timestamps.ts';

/** One status event, validated and normalized, ready to store. */
export interface StatusEvent {
  requestId: string;
  service: string;
  source: string | null;
  status: string;
  statusMsg: string | null;
  /** ISO 8601 with offset, microsecond precision. */
  date: string;
  utcDay: string;
  account: string | null;
  orgId: string | null;
  inventoryId: string | null;
  systemId: string | null;
  /**
   * The org of the org-bound writer that sends it, when one does: the database
   * refuses it for a payload another org holds (see ForeignPayloadsError).
   */
  ownerOrg?: string;
}

export const NAME_MAX = 128;
export const ID_MAX = 64;
export const STATUS_MSG_MAX = 32_768;
const DAY_MS = 86_400_000;

/**
 * The dates an event may carry: from the first day retention keeps to (not
 * including) a day ahead of now. Each day stored needs a partition, and one outside this window
 * would be a producer's clock gone wrong that retention never drops (future)
 * or drops within the hour (past).
 */
export interface DateWindow {
  earliestMs: number;
  latestMs: number;
}

export function ingestWindow(now: Date, retentionDays: number): DateWindow {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { earliestMs: today - retentionDays * DAY_MS, latestMs: now.getTime() + DAY_MS };
}

function windowRule({ earliestMs, latestMs }: DateWindow): string {
  const text = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return `must be on or after ${text(earliestMs)} (the first day retention keeps) and before ${text(latestMs)} (a day ahead)`;
}

/**
 * Reads one field: its value, null when not given, or undefined when refused
 * (the reason told through `fail`). No closure is made per field: this runs
 * for every field of every event.
 */
type Reader = (item: Record<string, unknown>, field: string, fail: Fail) => string | null | undefined;

/**
 * Producers written in Python send an absent value as "None"; others send "" or null.
 * All of them mean "not given".
 */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === 'None';
}

function readText(max: number, lowerCase: boolean): Reader {
  return (item, field, fail) => {
    const value = item[field];
    if (isAbsent(value)) return null;
    if (typeof value !== 'string' && typeof value !== 'number') {
      fail(field, `must be a string, not ${Array.isArray(value) ? 'an array' : typeof value}`);
      return undefined;
    }
    const text = String(value).trim();
    // Over HTTP the input guard refuses NUL first; events from other sources (the bus) meet only this check.
    if (text.includes('\u0000')) {
      fail(field, 'must not contain a NUL character (\\u0000)');
      return undefined;
    }
    if (text.length > max) {
      fail(field, `must be at most ${max} characters long`);
      return undefined;
    }
    return text === '' ? null : lowerCase ? text.toLowerCase() : text;
  };
}

const readName = readText(NAME_MAX, true);
const readId = readText(ID_MAX, false);
const readStatusMsg = readText(STATUS_MSG_MAX, false);

const readUuid: Reader = (item, field, fail) => {
  const text = readId(item, field, fail);
  if (!text) return text;
  const uuid = canonicalUuid(text);
  if (!uuid) fail(field, 'must be a UUID');
  return uuid;
};

/** A field that must be given: a value of only whitespace is as absent as no value (it would store an empty name no query can reach). */
function readRequired(reader: Reader, item: Record<string, unknown>, field: string, fail: Fail): string {
  const value = reader(item, field, fail);
  if (value === null) fail(field, 'is required');
  return value ?? '';
}

function validateItem(record: Record<string, unknown>, fail: Fail, window: DateWindow): StatusEvent {
  const service = readRequired(readName, record, 'service', fail);
  const status = readRequired(readName, record, 'status', fail);
  const rawRequestId = readRequired(readId, record, 'request_id', fail);
  const requestId = rawRequestId ? canonicalRequestId(rawRequestId) : undefined;
  if (rawRequestId && !requestId) fail('request_id', `must be ${REQUEST_ID_RULE}`);

  const rawDate = readRequired(readId, record, 'date', fail);
  const date = rawDate ? parseTimestamp(rawDate) : undefined;
  if (rawDate && !date) fail('date', 'must be an RFC 3339 date-time, such as 2026-11-25T14:36:20.123456Z');
  if (date && (date.epochMs < window.earliestMs || date.epochMs >= window.latestMs)) fail('date', windowRule(window));

  return {
    requestId: requestId ?? '',
    service,
    source: readName(record, 'source', fail) ?? null,
    status,
    statusMsg: readStatusMsg(record, 'status_msg', fail) ?? null,
    date: date?.iso ?? '',
    utcDay: date?.utcDay ?? '',
    account: readId(record, 'account', fail) ?? null,
    orgId: readId(record, 'org_id', fail) ?? null,
    inventoryId: readUuid(record, 'inventory_id', fail) ?? null,
    systemId: readUuid(record, 'system_id', fail) ?? null,
  };
}

/** Validates a whole batch: every event, or an error naming each bad item's index, field and reason. */
export function validateStatusEvents(
  items: unknown[],
  maxEvents: number,
  window: DateWindow,
  schemaProblems?: ItemProblems,
): StatusEvent[] {
  return validateBatch(items, { noun: 'status events', maxItems: maxEvents, schemaProblems }, (item, fail) =>
    validateItem(item, fail, window),
  );
}

/** validateStatusEvents, letting the event loop through as it goes (see validateBatchInSteps): for requests of thousands. */
export function validateStatusEventsInSteps(
  items: unknown[],
  maxEvents: number,
  window: DateWindow,
  schemaProblems?: ItemProblems,
): Promise<StatusEvent[]> {
  return validateBatchInSteps(items, { noun: 'status events', maxItems: maxEvents, schemaProblems }, (item, fail) =>
    validateItem(item, fail, window),
  );
}
