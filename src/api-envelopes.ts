import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendGatheringError } from './gathering/gathering.errors.ts';
import { sendReportError } from './reports/reports.errors.ts';
import { scheduleError } from './schedules/schedules.routes.ts';
import { sendPayloadTrackerError } from './shared/platform-errors.ts';
import { sendTaskError } from './tasks/tasks.routes.ts';

type ErrorSender = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Which API a path belongs to, by the prefixes its routes are registered
 * under (see app.ts), most specific first; the payload tracker's otherwise, as
 * for unknown paths. Only for errors Fastify raises before it has found a
 * route, and so before that route's own error handler is known.
 */
const ENVELOPES: [prefix: string, send: ErrorSender][] = [
  ['/api/v1/reports/', scheduleError()],
  ['/data/reports/', sendReportError],
  ['/task/', sendTaskError],
  ['/cluster/', sendGatheringError],
  ['/api/insights-results-aggregator/v2/', sendGatheringError],
];

/** Sends `error` in the envelope of the API that `request`'s path belongs to. */
export function sendInEnvelopeOfPath(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const send = ENVELOPES.find(([prefix]) => request.url.startsWith(prefix))?.[1] ?? sendPayloadTrackerError;
  send(error, request, reply);
}
