import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `pass` now and then every `intervalMs`, one pass at a time, in the
 * background. A failed pass is logged and tried again at the next. Returns a
 * stop function that waits for a pass under way.
 */
export function runPeriodically(what: string, intervalMs: number, pass: () => Promise<void>, log: FastifyBaseLogger) {
  const guarded = async () => {
    try {
      await pass();
    } catch (error) {
      log.error({ err: error }, `${what} failed; trying again in ${Math.round(intervalMs / 1000)} s`);
    }
  };
  let running = guarded();
  const timer = setInterval(() => {
    running = running.then(guarded);
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
