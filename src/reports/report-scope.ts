import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { canonicalUuid } from '../shared/request-id.ts';
import { nextBatchSize } from '../shared/statement-budget.ts';
import type { ReportRow } from './writers.ts';

/** What a report reads: one org's data in [from, to), times shown in `timezone`. */
export interface ReportScope {
  orgId: string;
  from: string;
  to: string;
  timezone: string;
  /**
   * Only payloads of these hosts (empty: all): inventory, system or cluster IDs
   * match; a host name matches nothing, since no event carries one.
   */
  hosts?: string[];
  /** Only statuses of these services (empty: all). */
  services?: string[];
}

/** The payload `p` belongs to one of the scope's hosts, when it names any. */
export function hostCondition(scope: ReportScope) {
  if (!scope.hosts?.length) return sql`true`;
  const hosts = sql`${scope.hosts.filter((host) => canonicalUuid(host) === host)}::uuid[]`;
  return sql`(p.inventory_id = any(${hosts}) or p.system_id = any(${hosts}) or exists (
    select 1 from gathering_requests g where g.org_id = p.org_id and g.request_id = p.request_id and g.cluster_id = any(${hosts})))`;
}

/** The status `s` is of one of the scope's services, when it names any. */
export function serviceCondition(scope: ReportScope, alias = 's') {
  return scope.services?.length ? sql`${sql.ref(`${alias}.service`)} = any(${scope.services}::text[])` : sql`true`;
}

export interface ReportSource {
  columns: string[];
  /** The rows in batches, in a stable order; each batch is read in its own short transaction. */
  batches(db: Kysely<Schema>, scope: ReportScope, batchSize: number): AsyncGenerator<ReportRow[]>;
}

// Keyset paging repeats the leading column as a plain bound: PostgreSQL then starts each
// batch's index scan at the previous batch's end, rather than at the span's start.

// A time in the session's zone, with its offset: 2026-03-29T03:00:00.000000+02:00.
export const LOCAL_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM';

/**
 * Reads one batch in a transaction of its own with the session in the report's
 * time zone, so that PostgreSQL prints local times with their offsets. Short
 * transactions keep the embedded database free for the API between batches.
 */
export function inZone<T>(db: Kysely<Schema>, timezone: string, read: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('TimeZone', ${timezone}, true)`.execute(trx);
    return read(trx);
  });
}

/** Where the previous batch ended: its last row's time (UTC text) and id. */
export interface Cursor {
  cursor_at: string;
  cursor_id: string;
}

/** Rows after the cursor in (`column`, `idColumn`) order. */
export function afterCursor(column: string, idColumn: string, after: Cursor | undefined) {
  if (!after) return sql``;
  const at = sql`${after.cursor_at}::timestamptz`;
  return sql`and ${sql.ref(column)} >= ${at} and (${sql.ref(column)}, ${sql.ref(idColumn)}) > (${at}, ${after.cursor_id}::bigint)`;
}

const FIRST_BATCH_ROWS = 100;

/**
 * Reads a keyset-ordered query batch after batch, each batch in its zone-set
 * transaction, until one comes back short; `read` takes the cursor and how
 * many rows to read (at most `batchSize`, sized to the statement budget).
 */
export async function* keysetBatches<R extends Cursor>(
  db: Kysely<Schema>,
  scope: ReportScope,
  batchSize: number,
  read: (trx: Transaction<Schema>, after: Cursor | undefined, limit: number) => Promise<R[]>,
): AsyncGenerator<R[]> {
  let after: Cursor | undefined;
  let limit = Math.min(FIRST_BATCH_ROWS, batchSize);
  for (;;) {
    const started = performance.now();
    const rows = await inZone(db, scope.timezone, (trx) => read(trx, after, limit));
    // The read's time, not the consumer's (writing the file) after the yield.
    const tookMs = performance.now() - started;
    if (rows.length === 0) return;
    const { cursor_at, cursor_id } = rows[rows.length - 1];
    after = { cursor_at, cursor_id };
    yield rows;
    if (rows.length < limit) return;
    limit = nextBatchSize(rows.length, tookMs, batchSize);
  }
}

const FIRST_SLICE_MS = 60 * 60_000;
const SHORTEST_SLICE_MS = 60_000;

/**
 * The scope's span in consecutive slices [from, to), each read by `read` in
 * its zone-set transaction: for summaries that add up over time. The first
 * slice is an hour; each next one is sized to the statement budget from what the
 * last took, as batches are (see nextBatchSize), at least a minute long.
 */
export async function* timeSlices<R>(
  db: Kysely<Schema>,
  scope: ReportScope,
  read: (trx: Transaction<Schema>, from: string, to: string) => Promise<R[]>,
): AsyncGenerator<R[]> {
  const end = Date.parse(scope.to);
  let width = FIRST_SLICE_MS;
  for (let from = Date.parse(scope.from); from < end;) {
    const to = Math.min(end, from + width);
    const started = performance.now();
    const rows = await inZone(db, scope.timezone, (trx) => read(trx, new Date(from).toISOString(), new Date(to).toISOString()));
    width = Math.max(SHORTEST_SLICE_MS, nextBatchSize(to - from, performance.now() - started, Number.MAX_SAFE_INTEGER));
    yield rows;
    from = to;
  }
}
