import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/** Seconds a client is asked to wait when Tracker is stopping: by then another process, or this one restarted, answers. */
export const CLOSING_RETRY_SECONDS = 5;

/**
 * Answers a request that arrives while `app` is stopping (on a connection
 * still open) with a 503 and `Retry-After` in its API's envelope, where
 * Fastify's own 503 had neither; Fastify closes the connection after it.
 * Set before the routes, so that the hook runs for every one of them.
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) {
      throw new AppError('unavailable', `Tracker is stopping; try again in ${CLOSING_RETRY_SECONDS} s`, [], {
        retryAfterSeconds: CLOSING_RETRY_SECONDS,
      });
    }
  });
}
