import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '../http-errors.ts';

/** Renders any error in the payload tracker's body: `{title, message, status}`, plus `errors` when there are details. */
export function sendPayloadTrackerError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, message, details } = toHttpError(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(status).send({
    title: STATUS_CODES[status] ?? 'Error',
    message,
    status,
    ...(details.length > 0 ? { errors: details } : {}),
  });
}
