import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '../http-errors.ts';

/**
 * Renders any error in the gathering API's body, `{"status": "<message>"}`.
 * Missing or unusable credentials are a 403 there, as the platform answers them.
 */
export function sendGatheringError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, message } = toHttpError(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(status === 401 ? 403 : status).send({ status: message });
}
