import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { rfc3339Nanos } from '../shared/sql.ts';

/** Where a query looks: one org's cluster, counting only results stored at or after `freshSince`. */
export interface ClusterScope {
  orgId: string;
  clusterId: string;
  freshSince: Date;
}

export interface StoredRequest {
  id: string;
  request_id: string;
  received: string;
  processed: string;
}

const requestColumns = sql`id, request_id, ${rfc3339Nanos('received')} as received, ${rfc3339Nanos('processed')} as processed`;

function inScope(scope: ClusterScope) {
  return sql`org_id = ${scope.orgId} and cluster_id = ${scope.clusterId}::uuid
    and processed >= ${scope.freshSince.toISOString()}::timestamptz`;
}

/** The cluster's stored requests, newest gathering first. */
export async function listClusterRequests(db: Kysely<Schema>, scope: ClusterScope): Promise<StoredRequest[]> {
  const { rows } = await sql<StoredRequest>`
    select ${requestColumns} from gathering_requests where ${inScope(scope)}
    order by received desc, id desc`.execute(db);
  return rows;
}

/** The stored ones among `requestIds`, keyed by request ID. */
export async function findClusterRequests(
  db: Kysely<Schema>,
  scope: ClusterScope,
  requestIds: string[],
): Promise<Map<string, StoredRequest>> {
  const { rows } = await sql<StoredRequest>`
    select ${requestColumns} from gathering_requests
    where ${inScope(scope)} and request_id = any(${requestIds}::text[])`.execute(db);
  return new Map(rows.map((row) => [row.request_id, row]));
}

export async function findClusterRequest(db: Kysely<Schema>, scope: ClusterScope, requestId: string) {
  return (await findClusterRequests(db, scope, [requestId])).get(requestId);
}

export interface ReportedHit {
  rule_fqdn: string;
  error_key: string;
  description: string | null;
  total_risk: number | null;
}

/** The rule hits of a stored request with their content from the catalogue (null where it has none). */
export async function getRuleHits(db: Kysely<Schema>, gatheringRequestId: string): Promise<ReportedHit[]> {
  const { rows } = await sql<ReportedHit>`
    select h.rule_fqdn, h.error_key, c.description, c.total_risk
    from gathering_rule_hits h
    left join rule_content c on c.rule_fqdn = h.rule_fqdn and c.error_key = h.error_key
    where h.gathering_request_id = ${gatheringRequestId}
    order by h.rule_fqdn, h.error_key`.execute(db);
  return rows;
}

/** Deletes results stored before `freshSince`; their rule hits go with them. */
export async function purgeExpiredResults(db: Kysely<Schema>, freshSince: Date): Promise<number> {
  const result = await sql`delete from gathering_requests where processed < ${freshSince.toISOString()}::timestamptz`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
