import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { callerKeyOf } from '../auth/caller-key.ts';
import { grantOf } from '../auth/route-access.ts';
import { AppError } from '../errors.ts';
import { requestIdParam } from '../shared/query-params.ts';
import type { PayloadTrackerDeps } from './deps.ts';
import { readPayloadDetail } from './payload-detail.ts';
import { errorResponses, RequestIdParams } from './payloads.schemas.ts';
import { ErrorBody } from '../shared/platform-errors.ts';

/** How often a stream looks for new statuses, and how often it says it is alive when nothing came. */
const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;

/**
 * Streams open at once in all and by one caller (see callerKeyOf), and how
 * long one lasts before the client reconnects and starts afresh.
 */
const LIVE_LIMITS = { maxStreams: 200, maxPerClient: 8, maxLifetimeMs: 30 * 60_000 };

/** One server-sent event. */
const sseEvent = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Proxies that buffer (nginx) would hold the events back.
  'x-accel-buffering': 'no',
};

export const liveRoutes: FastifyPluginAsyncTypebox<PayloadTrackerDeps> = async (app, { db, config }) => {
  const open = new Set<() => void>();
  const trustIdentity = config.identityHeader === 'trust';
  const perClient = new Map<string, number>();

  /** The payload as `GET /v1/payloads/{request_id}` answers it, sorted by date. */
  const snapshot = (requestId: string, visibleOrg: string | undefined) =>
    readPayloadDetail(db, requestId, { sortBy: 'date', sortDir: 'asc', verbosity: 0, visibleOrg });

  // A server shutting down ends every stream, so that closing does not wait on them.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/payloads/:request_id/events',
    {
      config: { access: { payloadReader: true } },
      schema: {
        summary: "A payload's statuses as they arrive (server-sent events)",
        description:
          'A text/event-stream: a `payload` event with the whole answer of GET /v1/payloads/{request_id} (sorted by date) ' +
          'when the stream opens and again whenever a status is added, a comment every 15 s while nothing changes, and ' +
          `an \`end\` event after ${LIVE_LIMITS.maxLifetimeMs / 60_000} minutes or when the server stops, after which a client ` +
          `reconnects. At most ${LIVE_LIMITS.maxPerClient} streams per caller (its bearer token, else the user of a trusted ` +
          'x-rh-identity, else its address: X-Forwarded-For from the proxies TRUST_PROXY names) and ' +
          `${LIVE_LIMITS.maxStreams} in all; more are answered 429. A HEAD is answered at once with the headers alone.`,
        params: RequestIdParams,
        response: {
          200: { description: 'The event stream', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const requestId = requestIdParam(request.params.request_id);
      const visibleOrg = grantOf(request).orgId;
      if (request.method === 'HEAD') {
        // Headers alone and at once, holding no place: run as a GET, it would stream to nobody until the client left.
        await snapshot(requestId, visibleOrg);
        return reply.code(200).headers(STREAM_HEADERS).send('');
      }
      const client = callerKeyOf(request, trustIdentity);
      if (open.size >= LIVE_LIMITS.maxStreams) throw new AppError('too_many', 'too many live streams are open; try again later');
      if ((perClient.get(client) ?? 0) >= LIVE_LIMITS.maxPerClient) {
        throw new AppError('too_many', `at most ${LIVE_LIMITS.maxPerClient} live streams may be open by one caller`);
      }
      const first = await snapshot(requestId, visibleOrg);

      reply.hijack();
      const res: ServerResponse = reply.raw;
      res.writeHead(200, { ...STREAM_HEADERS, connection: 'keep-alive' });
      res.write(`retry: 3000\n${sseEvent('payload', first)}`);
      perClient.set(client, (perClient.get(client) ?? 0) + 1);

      let shown = first.data.length;
      let lastWrite = Date.now();
      let busy = false;
      const poll = setInterval(() => {
        if (busy) return;
        busy = true;
        snapshot(requestId, visibleOrg)
          .then((now) => {
            if (now.data.length !== shown) {
              shown = now.data.length;
              res.write(sseEvent('payload', now));
              lastWrite = Date.now();
            } else if (Date.now() - lastWrite >= KEEPALIVE_MS) {
              res.write(': still here\n\n');
              lastWrite = Date.now();
            }
          })
          .catch((error: unknown) => request.log.warn({ err: error }, 'a live stream could not read its payload'))
          .finally(() => (busy = false));
      }, POLL_MS);
      const expire = setTimeout(() => end(), LIVE_LIMITS.maxLifetimeMs);

      function end() {
        if (!open.delete(end)) return;
        clearInterval(poll);
        clearTimeout(expire);
        const left = (perClient.get(client) ?? 1) - 1;
        if (left === 0) perClient.delete(client);
        else perClient.set(client, left);
        if (!res.writableEnded) res.end(sseEvent('end', { reason: 'the stream has run its course; reconnect for more' }));
      }
      open.add(end);
      res.on('close', end);
    },
  );
};
