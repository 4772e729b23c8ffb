import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `pass` now and then every `intervalMs`, one pass at a time, in the
 * background. A tick that finds the last pass still running is skipped, so a
 * slow database never builds a backlog of passes. A failed pass is logged and
 * tried again at the next tick. Returns a stop function that waits for a pass
 * under way.
 */
export function runPeriodically(what: string, intervalMs: number, pass: () => Promise<void>, log: FastifyBaseLogger) {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) {
      log.debug(`${what} still running; this tick is skipped`);
      return;
    }
    running = pass()
      .catch((error: unknown) => log.error({ err: error }, `${what} failed; trying again in ${Math.round(intervalMs / 1000)} s`))
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
