import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { grantOf } from '../auth/route-access.ts';
import { AppError } from '../errors.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { kibanaDiscoverUrl } from './kibana.ts';
import { getPayloadTimeSpan } from './payloads.queries.ts';
import { ErrorBody } from '../shared/platform-errors.ts';
import { RequestIdParams } from './payloads.schemas.ts';
import { requestIdParam, textParam } from '../shared/query-params.ts';
import { fetchArchiveUrl } from './storage-broker.ts';

// The spec puts the URL at data.url; the platform's frontend reads url. Both are sent.
const Link = Type.Object({
  url: Type.String({ format: 'uri' }),
  data: Type.Object({ url: Type.String({ format: 'uri' }) }),
});
const linkBody = (url: string) => ({ url, data: { url } });

const linkErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 502: ErrorBody, 503: ErrorBody };

export const linkRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, { db, config }) => {
  /** The payload's span; to a reader limited to one org (READ_ACCESS), another org's payload is unknown. */
  async function payloadSpan(requestId: string, visibleOrg: string | undefined) {
    const span = await getPayloadTimeSpan(db, requestId);
    if (!span || (visibleOrg !== undefined && span.org_id !== visibleOrg)) {
      throw new AppError('not_found', `no payload has the request ID ${requestId}`);
    }
    return span;
  }

  app.get(
    '/payloads/:request_id/archiveLink',
    {
      config: { access: { archiveRole: true, payloadReader: true } },
      schema: {
        summary: "Get the download URL for a payload's archive",
        params: RequestIdParams,
        response: { 200: Link, ...linkErrors },
      },
    },
    async (request) => {
      const requestId = requestIdParam(request.params.request_id);
      // Open reads ask the broker about any archive, known to Tracker or not, as the platform does.
      const { orgId } = grantOf(request);
      if (orgId !== undefined) await payloadSpan(requestId, orgId);
      return linkBody(await fetchArchiveUrl(config.storageBrokerUrl, requestId, config.storageBrokerTimeoutMs));
    },
  );

  app.get(
    '/roles/archiveLink',
    {
      config: { access: { archiveRole: true } },
      schema: {
        summary: 'Check whether the caller may request archive download links',
        response: { 200: Type.Object({ allowed: Type.Boolean() }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async () => ({ allowed: true }),
  );

  app.get(
    '/payloads/:request_id/kibanaLink',
    {
      config: { access: { payloadReader: true } },
      schema: {
        summary: "Get the URL of a payload's logs in Kibana",
        params: RequestIdParams,
        querystring: Type.Object({ service: Type.Optional(Type.String({ description: 'Only this service' })) }),
        response: { 200: Link, ...linkErrors },
      },
    },
    async (request) => {
      const requestId = requestIdParam(request.params.request_id);
      const span = await payloadSpan(requestId, grantOf(request).orgId);
      const url = kibanaDiscoverUrl({
        kibanaUrl: config.kibanaUrl,
        index: config.kibanaIndex,
        serviceField: config.kibanaServiceField,
        requestId,
        service: textParam(request.query.service),
        first: span.first,
        last: span.last,
      });
      return linkBody(url);
    },
  );
};
