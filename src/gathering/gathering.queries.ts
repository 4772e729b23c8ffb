import { sql, type Kysely, type Selectable } from 'kysely';
import { preparedStatement } from '../db/prepared-statements.ts';
import type { GatheringRequestsTable, Schema } from '../db/schema.ts';
import { inBudgetedSteps } from '../shared/statement-budget.ts';

/** Where a query looks: one org's cluster, counting only results stored at or after `freshSince`. */
export interface ClusterScope {
  orgId: string;
  clusterId: string;
  freshSince: Date;
}

export type StoredRequest = Pick<Selectable<GatheringRequestsTable>, 'id' | 'request_id' | 'received' | 'processed'>;

/** The scope's stored requests, to narrow further. */
const requestsIn = (db: Kysely<Schema>, scope: ClusterScope) =>
  db
    .selectFrom('gathering_requests')
    .select(['id', 'request_id', 'received', 'processed'])
    .where('org_id', '=', scope.orgId)
    .where('cluster_id', '=', scope.clusterId)
    .where('processed', '>=', scope.freshSince.toISOString());

/** The cluster's stored requests, newest gathering first. */
export async function listClusterRequests(db: Kysely<Schema>, scope: ClusterScope): Promise<StoredRequest[]> {
  return requestsIn(db, scope).orderBy('received', 'desc').orderBy('id', 'desc').execute();
}

/** The stored ones among `requestIds`, keyed by request ID. */
export async function findClusterRequests(
  db: Kysely<Schema>,
  scope: ClusterScope,
  requestIds: string[],
): Promise<Map<string, StoredRequest>> {
  if (requestIds.length === 0) return new Map();
  const rows = await requestsIn(db, scope).where('request_id', 'in', requestIds).execute();
  return new Map(rows.map((row) => [row.request_id, row]));
}

/**
 * The statement every cluster's status poll runs, written out once and
 * prepared by each connection: building it with the query builder on each
 * call cost a tenth of the request's CPU, and planning it most of
 * PostgreSQL's.
 */
const findClusterRequestStatement = preparedStatement(
  'find_cluster_request',
  `select id, request_id, received, processed from gathering_requests
  where org_id = $1 and cluster_id = $2 and processed >= $3 and request_id = $4`,
);

/** The scope's stored request of `requestId`, or undefined. */
export async function findClusterRequest(db: Kysely<Schema>, scope: ClusterScope, requestId: string): Promise<StoredRequest | undefined> {
  const statement = findClusterRequestStatement([scope.orgId, scope.clusterId, scope.freshSince.toISOString(), requestId]);
  const { rows } = await db.executeQuery<StoredRequest>(statement);
  return rows[0];
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
export function purgeExpiredResults(db: Kysely<Schema>, freshSince: Date): Promise<number> {
  // In short steps, each with its rule hits: a day's results at once held the embedded database.
  return inBudgetedSteps(
    async (limit) => {
      const result = await sql`
        delete from gathering_requests where id in (
          select id from gathering_requests where processed < ${freshSince.toISOString()}::timestamptz limit ${limit})`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
    { most: 10_000 },
  );
}
