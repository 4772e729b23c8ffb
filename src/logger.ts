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
  if (chosen === 'json') return pino({ level });
  // Written synchronously, as JSON is: a line logged just before an exit is not lost.
  return pino(
    { level },
    pretty({ sync: true, singleLine: true, colorize: Boolean(stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
}
