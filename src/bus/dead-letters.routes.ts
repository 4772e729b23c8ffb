import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import type { PartitionKeeper } from '../db/partitions.ts';
import type { Schema } from '../db/schema.ts';
import { callerOf } from '../auth/route-access.ts';
import { AppError } from '../errors.ts';
import { errorResponses, paging } from '../payloads/payloads.schemas.ts';
import { Int64Id, int64Param, readInt64 } from '../shared/int64.ts';
import { textParam, timestampParam } from '../shared/query-params.ts';
import { ErrorBody } from '../shared/platform-errors.ts';
import {
  deadLettersToReplay,
  deleteDeadLetters,
  getDeadLetter,
  listDeadLetters,
  type DeadLetterFilter,
  type DeadLetterRow,
} from './dead-letters.queries.ts';
import { replayDeadLetters } from './replay.ts';

/** Dead letters one replay reads at most; ask again for the rest. */
const REPLAY_LIMIT = 1000;

const FilterFields = {
  reason: Type.Optional(Type.String({ description: 'Part of the reason, any case' })),
  subject: Type.Optional(Type.String({ description: 'The subject it was published on' })),
  received_at_gte: Type.Optional(Type.String({ description: 'RFC 3339: kept at or after this instant' })),
  received_at_lt: Type.Optional(Type.String({ description: 'RFC 3339: kept before this instant' })),
};

const DeadLetter = Type.Object({
  id: Type.String(),
  received_at: Type.String({ format: 'date-time' }),
  org_id: Type.Optional(Type.String({ description: "The bus's org (NATS_ORG_ID), else the one the message names; absent when neither" })),
  stream: Type.String(),
  stream_sequence: Type.String({ description: 'Its sequence in the stream: with the stream and published_at, names the bus message' }),
  published_at: Type.Optional(Type.String({ format: 'date-time', description: 'When the stream stored the message' })),
  subject: Type.String(),
  reason: Type.String({ description: 'Why it could not be stored' }),
  deliveries: Type.Integer({ description: 'Deliveries when it was kept' }),
  body: Type.String({ description: 'The body as published, read as UTF-8 (bytes that are not become U+FFFD)' }),
});
const DeadLetterDetail = Type.Object({ ...DeadLetter.properties, body_base64: Type.String({ description: 'The body, byte for byte' }) });

const decoder = new TextDecoder('utf-8');
const shown = (row: DeadLetterRow) => ({
  id: row.id,
  received_at: row.received_at,
  ...(row.org_id === null ? {} : { org_id: row.org_id }),
  stream: row.stream,
  stream_sequence: row.stream_sequence,
  ...(row.published_at === null ? {} : { published_at: row.published_at }),
  subject: row.subject,
  reason: row.reason,
  deliveries: row.deliveries,
  body: decoder.decode(row.body),
});

/** The org whose dead letters the caller manages: its token's, or every org's for a token made for all. */
function callerOrgOf(request: FastifyRequest): string | undefined {
  const caller = callerOf(request);
  return caller.allOrgs ? undefined : caller.orgId;
}

function filterOf(
  request: FastifyRequest,
  query: { reason?: string; subject?: string; received_at_gte?: string; received_at_lt?: string },
): DeadLetterFilter {
  return {
    orgId: callerOrgOf(request),
    reason: textParam(query.reason),
    subject: textParam(query.subject),
    receivedFrom: timestampParam('received_at_gte', query.received_at_gte),
    receivedBefore: timestampParam('received_at_lt', query.received_at_lt),
  };
}

export interface DeadLetterDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  partitions: PartitionKeeper;
  now: () => Date;
}

/** The dead letters of the bus consumer: list, read, replay after a fix, delete. */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<DeadLetterDeps> = async (app, { db, config, partitions, now }) => {
  const access = { token: 'dead-letters:manage' as const };

  app.get(
    '/dead-letters',
    {
      config: { access },
      schema: {
        summary: 'Bus messages that could not be stored, newest first',
        description:
          "The token's org's (each belongs to the bus's org, else the one its message names); every org's for a token made for all orgs.",
        querystring: Type.Object({
          ...paging(config.maxPageSize),
          sort_by: Type.Optional(Type.Enum(['received_at'], { default: 'received_at' })),
          sort_dir: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'desc', description: 'Newest first by default' })),
          ...FilterFields,
        }),
        response: {
          200: Type.Object({ count: Type.Integer({ description: 'How many match the filters' }), data: Type.Array(DeadLetter) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { query } = request;
      const { count, rows } = await listDeadLetters(db, filterOf(request, query), {
        page: query.page!,
        pageSize: query.page_size!,
        newestFirst: query.sort_dir !== 'asc',
      });
      return { count, data: rows.map(shown) };
    },
  );

  app.get(
    '/dead-letters/:id',
    {
      config: { access },
      schema: {
        summary: 'One dead letter, with its body byte for byte',
        params: Type.Object({ id: Type.String() }),
        response: { 200: DeadLetterDetail, ...errorResponses },
      },
    },
    async (request) => {
      const row = await getDeadLetter(db, int64Param(request.params.id, 'id'), callerOrgOf(request));
      if (!row) throw new AppError('not_found', `no dead letter has the ID ${request.params.id}`);
      return { ...shown(row), body_base64: Buffer.from(row.body).toString('base64') };
    },
  );

  app.post(
    '/dead-letters/replay',
    {
      config: { access },
      schema: {
        summary: 'Read dead letters again, after a fix: those that are now valid are stored and leave the list',
        description:
          `By ID (\`ids\`) or by the list's filters; the oldest ${REPLAY_LIMIT} at most per call (\`remaining\` says how many more match). ` +
          'A letter still refused stays, with the reason found now.',
        body: Type.Object({ ids: Type.Optional(Type.Array(Int64Id('A dead letter'), { maxItems: REPLAY_LIMIT })), ...FilterFields }),
        response: {
          200: Type.Object({
            replayed: Type.Integer(),
            stored: Type.Integer({ description: 'Now status events; their dead letters are deleted' }),
            still_dead: Type.Integer(),
            remaining: Type.Integer({ description: 'Matching dead letters this call did not reach' }),
          }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request) => {
      const { body } = request;
      const filter = { ...filterOf(request, body), ids: body.ids?.map((id) => readInt64(id, 'ids')) };
      // Counted before: a letter still refused may have a new reason that the filter no longer matches.
      const { count } = await listDeadLetters(db, filter, { page: 0, pageSize: 1, newestFirst: true });
      const letters = await deadLettersToReplay(db, filter, REPLAY_LIMIT);
      const outcome = await replayDeadLetters({ db, partitions, retentionDays: config.retentionDays, now }, letters);
      return { ...outcome, remaining: Math.max(0, count - letters.length) };
    },
  );

  app.delete(
    '/dead-letters/:id',
    {
      config: { access },
      schema: {
        summary: 'Delete one dead letter',
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const deleted = await deleteDeadLetters(db, { orgId: callerOrgOf(request), ids: [int64Param(request.params.id, 'id')] });
      if (deleted === 0) throw new AppError('not_found', `no dead letter has the ID ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/dead-letters',
    {
      config: { access },
      schema: {
        summary: "Delete a filter's dead letters; at least one filter is needed",
        querystring: Type.Object(FilterFields),
        response: { 200: Type.Object({ deleted: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const { orgId, ...named } = filterOf(request, request.query);
      if (Object.values(named).every((value) => value === undefined)) {
        throw new AppError('invalid', 'name at least one filter (reason, subject, received_at_gte, received_at_lt) to delete dead letters');
      }
      return { deleted: await deleteDeadLetters(db, { orgId, ...named }) };
    },
  );
};
