/**
 * The one error type of domain code. It names what went wrong; the HTTP edge of
 * each API turns `code` into a status and that API's error body.
 */
export type ErrorCode =
  | 'invalid' // the caller sent something malformed
  | 'unauthenticated' // no or unusable credentials
  | 'forbidden' // credentials lack a permission
  | 'not_found'
  | 'too_large'
  | 'unsupported' // a body in a form the endpoint does not read
  | 'too_many' // a quota is used up
  | 'upstream_failed' // a service we depend on failed
  | 'unavailable';

export interface ErrorDetail {
  /** Where the problem is: a parameter name, or `index.field` for a batch item. */
  field: string;
  reason: string;
  index?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Seconds after which the same request may succeed, for a condition that passes (`unavailable`, `too_many`). */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported: 415,
  too_many: 429,
  upstream_failed: 502,
  unavailable: 503,
};

export function invalid(field: string, reason: string): AppError {
  return invalidFields([{ field, reason }]);
}

/** A 400 naming every bad field: "name: is required; send_to: must hold at least 1 entry". */
export function invalidFields(details: ErrorDetail[]): AppError {
  return new AppError('invalid', details.map(({ field, reason }) => `${field}: ${reason}`).join('; '), details);
}
