import pino from 'pino';
import pretty from 'pino-pretty';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The process's logger: JSON lines for log collectors, readable lines for a
 * person at a terminal. LOG_FORMAT chooses; unset, a terminal gets readable
 * lines and anything else JSON.
 */
export function createLogger(level: string, format: LogFormat | undefined, stdout: { isTTY?: boolean } = process.stdout): pino.Logger {
  const chosen = format ?? (stdout.isTTY ? 'pretty' : 'json');
  if (chosen === 'json') {
    // Lines gathered up to 4 KB and written at least every 100 ms, on this thread: a write per line (two a
    // request) handed to libuv's thread pool cost a sixth of a single-event ingest request's CPU.
    const destination = pino.destination({ dest: 1, minLength: 4096, periodicFlush: 100, sync: true });
    // What is gathered when the process exits is written then, so a line logged just before is not lost.
    process.once('exit', () => destination.flushSync());
    return pino({ level }, destination);
  }
  // Written line by line: a person at a terminal reads each as it comes.
  return pino(
    { level },
    pretty({ sync: true, singleLine: true, colorize: Boolean(stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
}
