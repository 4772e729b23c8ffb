import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Schema } from '../db/schema.ts';

const Message = Type.Object({ message: Type.String() });

/**
 * Liveness with a database check. The spec's codes: 202 when the checks pass,
 * 404 when they fail (an odd choice, but the one its probes expect).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Schema> }> = async (app, { db }) => {
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
        return { message: 'liveness checks passed' };
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        return reply.code(404).send({ title: 'Not Found', message: `liveness checks failed: the database did not answer`, status: 404 });
      }
    },
  );
};
