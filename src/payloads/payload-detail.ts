import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { computeDurations } from '../shared/measures.ts';
import { withoutNulls } from '../shared/sql.ts';
import { getPayloadStatuses } from './payloads.queries.ts';

/** Fields of a payload's statuses at each verbosity; 0 is every field. */
const VERBOSE_FIELDS: Record<number, string[] | undefined> = {
  1: ['service', 'source', 'status', 'status_msg', 'inventory_id', 'date'],
  2: ['service', 'status', 'date'],
};

function pick<T extends object>(row: T, fields: string[] | undefined): T {
  if (!fields) return row;
  return Object.fromEntries(Object.entries(row).filter(([field]) => fields.includes(field))) as T;
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
  const duration = computeDurations(rows.map((row) => ({ service: row.service, source: row.source, dateMicros: BigInt(row.date_us) })));
  const data = rows.map(({ date_us: _micros, ...row }) =>
    pick({ ...withoutNulls(row), id: Number(row.id) }, VERBOSE_FIELDS[options.verbosity]),
  );
  return { data, duration };
}
