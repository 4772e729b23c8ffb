import { validateBatch, type Fail } from '../shared/batch.ts';
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
}

const NAME_MAX = 128;
const ID_MAX = 64;
const STATUS_MSG_MAX = 32_768;
// Events outside these years are a producer's clock gone wrong; each day stored needs a partition.
const EARLIEST_YEAR = 1970;
const LATEST_YEAR = 9998;
const EARLIEST_MS = Date.UTC(EARLIEST_YEAR, 0, 1);
const LATEST_MS = Date.UTC(LATEST_YEAR + 1, 0, 1);

type Reader = (item: Record<string, unknown>, field: string, fail: (reason: string) => void) => string | null;

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
      fail(`must be a string, not ${Array.isArray(value) ? 'an array' : typeof value}`);
      return null;
    }
    const text = String(value).trim();
    if (text.length > max) {
      fail(`must be at most ${max} characters long`);
      return null;
    }
    return text === '' ? null : lowerCase ? text.toLowerCase() : text;
  };
}

const readName = readText(NAME_MAX, true);
const readId = readText(ID_MAX, false);
const readStatusMsg = readText(STATUS_MSG_MAX, false);

function readUuid(item: Record<string, unknown>, field: string, fail: (reason: string) => void): string | null {
  const text = readId(item, field, fail);
  if (text === null) return null;
  const uuid = canonicalUuid(text);
  if (!uuid) fail('must be a UUID');
  return uuid ?? null;
}

function validateItem(record: Record<string, unknown>, fail: Fail): StatusEvent {
  const read = (reader: Reader, field: string) => reader(record, field, (reason) => fail(field, reason));
  const readRequired = (reader: Reader, field: string) => {
    if (isAbsent(record[field])) fail(field, 'is required');
    return read(reader, field) ?? '';
  };

  const service = readRequired(readName, 'service');
  const status = readRequired(readName, 'status');
  const rawRequestId = readRequired(readId, 'request_id');
  const requestId = rawRequestId ? canonicalRequestId(rawRequestId) : undefined;
  if (rawRequestId && !requestId) fail('request_id', `must be ${REQUEST_ID_RULE}`);

  const rawDate = readRequired(readId, 'date');
  const date = rawDate ? parseTimestamp(rawDate) : undefined;
  if (rawDate && !date) fail('date', 'must be an RFC 3339 date-time, such as 2026-11-25T14:36:20.123456Z');
  if (date && (date.epochMs < EARLIEST_MS || date.epochMs >= LATEST_MS)) {
    fail('date', `must be from ${EARLIEST_YEAR} to ${LATEST_YEAR}`);
  }

  const event: StatusEvent = {
    requestId: requestId ?? '',
    service,
    source: read(readName, 'source'),
    status,
    statusMsg: read(readStatusMsg, 'status_msg'),
    date: date?.iso ?? '',
    utcDay: date?.utcDay ?? '',
    account: read(readId, 'account'),
    orgId: read(readId, 'org_id'),
    inventoryId: read(readUuid, 'inventory_id'),
    systemId: read(readUuid, 'system_id'),
  };
  return event;
}

/** Validates a whole batch: every event, or an error naming each bad item's index, field and reason. */
export function validateStatusEvents(items: unknown[], maxEvents: number): StatusEvent[] {
  return validateBatch(items, { noun: 'status events', maxItems: maxEvents }, validateItem);
}
