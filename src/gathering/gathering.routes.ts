import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { FastifyRequest } from 'fastify';
import { orgOf } from '../auth/route-access.ts';
import type { Config } from '../config.ts';
import type { Schema } from '../db/schema.ts';
import { Type } from 'typebox';
import { AppError } from '../errors.ts';
import { withNanos } from '../shared/timestamps.ts';
import { sendGatheringError } from './gathering.errors.ts';
import { findClusterRequest, findClusterRequests, getRuleHits, listClusterRequests, type ClusterScope } from './gathering.queries.ts';
import { ClusterParams, ClusterRequestParams, gatheringErrors, Report, RequestList, RequestStatus } from './gathering.schemas.ts';
import { clusterIdParam, gatheringRequestId } from './ids.ts';

export interface GatheringDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  now: () => Date;
}

/** The on-demand gathering API the Insights Operator polls. */
export const gatheringRoutes: FastifyPluginAsyncTypebox<GatheringDeps> = async (app, { db, config, now }) => {
  app.setErrorHandler(sendGatheringError);
  const access = { tokenOrIdentity: 'gathering:read' } as const;

  /** The caller's view of one cluster: another org's cluster looks unknown. */
  function scopeOf(request: FastifyRequest, clusterID: string): ClusterScope {
    return {
      orgId: orgOf(request),
      clusterId: clusterIdParam(clusterID),
      freshSince: new Date(now().getTime() - config.gatheringTtlMs),
    };
  }

  const notFound = (what: string) => new AppError('not_found', `${what} was not found`);

  /** The caller's stored, unexpired request the path names, or a 404. */
  async function storedRequestOf(request: FastifyRequest, params: { clusterID: string; requestID: string }) {
    const scope = scopeOf(request, params.clusterID);
    const requestId = gatheringRequestId(params.requestID);
    const stored = await findClusterRequest(db, scope, requestId);
    if (!stored) throw notFound(`request ${requestId} of cluster ${scope.clusterId}`);
    return { clusterId: scope.clusterId, requestId, stored };
  }

  app.get(
    '/cluster/:clusterID/request/:requestID/status',
    {
      config: { access },
      schema: {
        summary: 'Status of a gathering request: 200 only once its results are stored',
        params: ClusterRequestParams,
        response: { 200: RequestStatus, ...gatheringErrors },
      },
    },
    async (request) => {
      const { clusterId, requestId } = await storedRequestOf(request, request.params);
      return { cluster: clusterId, requestID: requestId, status: 'processed' };
    },
  );

  app.get(
    '/cluster/:clusterID/requests',
    {
      config: { access },
      schema: {
        summary: "The cluster's stored gathering requests, newest first",
        params: ClusterParams,
        response: { 200: RequestList, ...gatheringErrors },
      },
    },
    async (request) => {
      const scope = scopeOf(request, request.params.clusterID);
      const stored = await listClusterRequests(db, scope);
      if (stored.length === 0) throw notFound(`cluster ${scope.clusterId}`);
      const requests = stored.map((row) => ({
        requestID: row.request_id,
        valid: true,
        received: withNanos(row.received),
        processed: withNanos(row.processed),
      }));
      return { cluster: scope.clusterId, requests, status: 'ok' };
    },
  );

  app.post(
    '/cluster/:clusterID/requests',
    {
      config: { access },
      schema: {
        summary: 'Look up the given request IDs of the cluster, in the order asked',
        description: `At most ${config.gatheringMaxRequestIds} request IDs (GATHERING_MAX_REQUEST_IDS).`,
        params: ClusterParams,
        body: Type.Array(Type.String({ description: 'a request ID' }), {
          maxItems: config.gatheringMaxRequestIds,
          description: 'Request IDs to look up',
          examples: [['3f2d1e0c9b8a47f6a5b4c3d2e1f00a9b']],
        }),
        response: { 200: RequestList, ...gatheringErrors },
      },
    },
    async (request) => {
      const scope = scopeOf(request, request.params.clusterID);
      const asked = request.body;
      const requestIds = asked.map((id, index) => gatheringRequestId(id, `request ID ${index}`));
      const stored = await findClusterRequests(db, scope, requestIds);
      const requests = requestIds.map((requestId, index) => {
        const row = stored.get(requestId);
        const requestID = asked[index];
        return row
          ? { requestID, valid: true, received: withNanos(row.received), processed: withNanos(row.processed) }
          : { requestID, valid: false, received: '', processed: '' };
      });
      return { cluster: scope.clusterId, requests, status: 'ok' };
    },
  );

  app.get(
    '/cluster/:clusterID/request/:requestID/report',
    {
      config: { access },
      schema: {
        summary: 'The rules that hit in the gathered archive, with their descriptions and risks',
        params: ClusterRequestParams,
        response: { 200: Report, ...gatheringErrors },
      },
    },
    async (request) => {
      const { clusterId, requestId, stored } = await storedRequestOf(request, request.params);
      const hits = await getRuleHits(db, stored.id);
      const withoutContent = hits.filter((hit) => hit.description === null);
      if (withoutContent.length > 0) {
        request.log.warn(
          { requestId, missing: withoutContent.map((hit) => `${hit.rule_fqdn}|${hit.error_key}`) },
          'rule hits without content in the catalogue are left out of the report',
        );
      }
      const report = hits
        .filter((hit) => hit.description !== null)
        .map((hit) => ({ rule_fqdn: hit.rule_fqdn, error_key: hit.error_key, description: hit.description!, total_risk: hit.total_risk! }));
      return { cluster: clusterId, requestID: requestId, status: 'processed', report };
    },
  );
};
