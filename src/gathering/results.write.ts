import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { GatheringResult } from './results.validate.ts';

const keyOf = (result: { orgId: string; clusterId: string; requestId: string }) =>
  `${result.orgId}/${result.clusterId}/${result.requestId}`;

/**
 * Stores results in one transaction. Results for a request stored before
 * replace it: a re-processed archive answers with its latest rule hits. Within
 * one batch the last message for a request wins.
 */
export async function storeResults(db: Kysely<Schema>, results: GatheringResult[], processed: Date): Promise<number> {
  const latest = [...new Map(results.map((result) => [keyOf(result), result])).values()];
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string; org_id: string; cluster_id: string; request_id: string }>`
      insert into gathering_requests (org_id, cluster_id, request_id, received, processed)
      select org_id, cluster_id, request_id, received, ${processed.toISOString()}::timestamptz
      from unnest(
        ${latest.map((result) => result.orgId)}::text[], ${latest.map((result) => result.clusterId)}::uuid[],
        ${latest.map((result) => result.requestId)}::text[], ${latest.map((result) => result.received)}::timestamptz[]
      ) as t(org_id, cluster_id, request_id, received)
      order by org_id, cluster_id, request_id
      on conflict (org_id, cluster_id, request_id) do update
        set received = excluded.received, processed = excluded.processed
      returning id, org_id, cluster_id, request_id`.execute(trx);
    const ids = new Map(rows.map((row) => [keyOf({ orgId: row.org_id, clusterId: row.cluster_id, requestId: row.request_id }), row.id]));
    const requestIds = [...ids.values()];
    await sql`delete from gathering_rule_hits where gathering_request_id = any(${requestIds}::bigint[])`.execute(trx);
    const hits = latest.flatMap((result) => result.hits.map((hit) => ({ id: ids.get(keyOf(result))!, ...hit })));
    if (hits.length === 0) return;
    await sql`
      insert into gathering_rule_hits (gathering_request_id, rule_fqdn, error_key)
      select * from unnest(
        ${hits.map((hit) => hit.id)}::bigint[], ${hits.map((hit) => hit.ruleFqdn)}::text[],
        ${hits.map((hit) => hit.errorKey)}::text[])
      on conflict do nothing`.execute(trx);
  });
  return latest.length;
}
