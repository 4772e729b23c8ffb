import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '../http-errors.ts';

/** The report job API's error body: `{code, message, description, fields: [{name, description}]}`. */
export function sendReportError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, message, details } = toHttpError(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(status).send({
    code: (STATUS_CODES[status] ?? 'Error').toUpperCase().replaceAll(' ', '_'),
    message,
    description: STATUS_CODES[status] ?? 'Error',
    fields: details.map((detail) => ({ name: detail.field, description: detail.reason })),
  });
}
