import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { computeDurations } from '../shared/measures.ts';
import { getPayloadStatuses, type PayloadStatusRow } from './payloads.queries.ts';
import { PAYLOAD_STATUS_SORT_FIELDS, type PayloadDetail } from './payloads.schemas.ts';
import type { Static } from 'typebox';

type AnsweredField = Exclude<keyof PayloadStatusRow, 'date_us'>;
type AnsweredStatus = Static<typeof PayloadDetail>['data'][number];

/** The fields of a payload's statuses in the answer at each verbosity; 0 is every field. */
const VERBOSE_FIELDS: Record<number, readonly AnsweredField[]> = {
  // Every field a status can be sorted by, and its ID.
  0: ['id', ...PAYLOAD_STATUS_SORT_FIELDS],
  1: ['service', 'source', 'status', 'status_msg', 'inventory_id', 'date'],
  2: ['service', 'status', 'date'],
};

/**
 * A status as answered: the verbosity's fields that are not null, the ID as a
 * number. Built in one pass, as a lookup's answer is built for each of its
 * statuses on every call.
 */
function answeredStatus(row: PayloadStatusRow, fields: readonly AnsweredField[]): AnsweredStatus {
  const answer: Record<string, string | number> = {};
  for (const field of fields) {
    const value = row[field];
    if (value !== null) answer[field] = field === 'id' ? Number(value) : value;
  }
  // Every verbosity holds the fields the answer requires (service and status), which are never null.
  return answer as AnsweredStatus;
}

export interface DetailOptions {
  sortBy: string;
  sortDir: 'asc' | 'desc';
  verbosity: number;
  /** The org a reader is limited to: another org's payload reads as unknown. */
  visibleOrg: string | undefined;
}

/** `GET /v1/payloads/{request_id}`'s answer: the payload's statuses and its time in each service. */
export async function readPayloadDetail(db: Kysely<Schema>, requestId: string, options: DetailOptions) {
  const payload = await getPayloadStatuses(db, requestId, options.sortBy, options.sortDir);
  if (!payload || (options.visibleOrg !== undefined && payload.orgId !== options.visibleOrg)) {
    throw new AppError('not_found', `no payload has the request ID ${requestId}`);
  }
  const rows = payload.statuses;
  const duration = computeDurations(rows.map((row) => ({ service: row.service, source: row.source, dateMicros: Number(row.date_us) })));
  const fields = VERBOSE_FIELDS[options.verbosity] ?? VERBOSE_FIELDS[0];
  return { data: rows.map((row) => answeredStatus(row, fields)), duration };
}
