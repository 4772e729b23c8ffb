import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Schema } from '../db/schema.ts';

const Message = Type.Object({
  message: Type.String(),
  bus: Type.Optional(
    Type.Object(
      {
        state: Type.Enum(['consuming', 'idle', 'unreachable'], { description: 'consuming: a worker pulls; idle: none does' }),
        stream: Type.String(),
        consumer: Type.String(),
        pending: Type.Optional(Type.Integer({ description: 'Messages not delivered yet (the lag)' })),
        ack_pending: Type.Optional(Type.Integer({ description: 'Messages delivered and not acknowledged yet' })),
        waiting_pulls: Type.Optional(Type.Integer()),
        error: Type.Optional(Type.String()),
      },
      { description: 'The bus consumer, when NATS_URL is set; it does not change the status code' },
    ),
  ),
});

/**
 * Liveness with a database check. The spec's codes: 202 when the checks pass,
 * 404 when they fail (an odd choice, but the one its probes expect). With a
 * bus configured, the consumer's state rides along (`busHealth`).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Schema>;
  busHealth?: () => Promise<Static<typeof Message>['bus']>;
}> = async (app, { db, busHealth }) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Run liveness checks: the database answers',
        response: {
          202: Message,
          404: Type.Object({ title: Type.String(), message: Type.String(), status: Type.Integer() }),
        },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
        reply.code(202);
        return { message: 'liveness checks passed', ...(busHealth ? { bus: await busHealth() } : {}) };
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        return reply.code(404).send({ title: 'Not Found', message: `liveness checks failed: the database did not answer`, status: 404 });
      }
    },
  );
};
