import type { FastifyReply, FastifyRequest } from 'fastify';

export type ErrorSender = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * An error sender that picks the API a path belongs to by the prefixes its
 * routes are registered under (`envelopes`, most specific first; app.ts knows
 * them), and `fallback` otherwise, as for unknown paths. Only for errors
 * Fastify raises before it has found a route, and so before that route's own
 * error handler is known.
 */
export function sendInEnvelopeOfPath(
  envelopes: readonly (readonly [prefix: string, send: ErrorSender])[],
  fallback: ErrorSender,
): ErrorSender {
  return (error, request, reply) => (envelopes.find(([prefix]) => request.url.startsWith(prefix))?.[1] ?? fallback)(error, request, reply);
}
