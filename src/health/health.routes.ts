import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { DatabaseLiveness } from './database-liveness.ts';

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
        checked_at: Type.Optional(
          Type.String({ format: 'date-time', description: 'When NATS was last asked (every 2 s, in the background)' }),
        ),
        since: Type.Optional(Type.String({ format: 'date-time', description: 'Since when the bus has been in this state' })),
      },
      { description: 'The bus consumer, when NATS_URL is set, as last seen; it does not change the status code nor delay the answer' },
    ),
  ),
});

/**
 * Liveness with a database check, which waits for it at most 50 ms whatever the
 * database does (see DatabaseLiveness). The spec's codes: 202 when the checks
 * pass, 404 when they fail (an odd choice, but the one its probes expect).
 * With a bus configured, the consumer's state rides along (`busHealth`).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{
  liveness: DatabaseLiveness;
  busHealth?: () => Promise<Static<typeof Message>['bus']>;
}> = async (app, { liveness, busHealth }) => {
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
      const [database, bus] = await Promise.all([liveness.check(), busHealth?.()]);
      if (!database.alive) {
        request.log.error(database.message);
        return reply.code(404).send({ title: 'Not Found', message: database.message, status: 404 });
      }
      reply.code(202);
      return { message: database.message, ...(bus ? { bus } : {}) };
    },
  );
};
