/** Socket errors of a database that is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/**
 * SQLSTATEs of the same: connection exceptions (class 08), shutting down, starting up, no connection
 * slot, and a statement cancelled by statement_timeout (57014): a database too slow to answer in time.
 */
const UNAVAILABLE_STATES = /^(08...|57P01|57P02|57P03|53300|57014)$/;
/** What pg says when a connection ends under a query. */
const TERMINATED = /^Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/;

/**
 * Whether `error` says the database cannot be reached right now (rather than
 * that a statement was wrong): such a request may succeed if tried again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  return typeof message === 'string' && TERMINATED.test(message);
}
