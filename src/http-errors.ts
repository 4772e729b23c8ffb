import type { FastifyError } from 'fastify';
import { AppError, HTTP_STATUS, type ErrorDetail } from './errors.ts';

/** An error as the HTTP edge sees it, before an API renders it in its own body. */
export interface HttpError {
  status: number;
  message: string;
  details: ErrorDetail[];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: { missingProperty?: string; allowedValues?: unknown[]; additionalProperty?: string };
}

const PART_NAMES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body field',
  headers: 'header',
};

/** "query parameter page: must be >= 0" rather than ajv's "querystring/page must be >= 0". */
function describeValidation(errors: AjvError[], context: string | undefined): HttpError {
  const part = PART_NAMES[context ?? ''] ?? context ?? 'request';
  const details = errors.map((error): ErrorDetail => {
    const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const field = error.params.missingProperty ? [path, error.params.missingProperty].filter(Boolean).join('.') : path;
    const reason =
      error.keyword === 'required'
        ? 'is required'
        : error.params.allowedValues
          ? `must be one of ${error.params.allowedValues.join(', ')}`
          : (error.message ?? 'is invalid');
    return { field, reason };
  });
  const message = details
    .map((detail) => (detail.field ? `${part} ${detail.field}: ${detail.reason}` : `${part}: ${detail.reason}`))
    .join('; ');
  return { status: 400, message, details };
}

/**
 * Maps any error thrown while serving a request to a status and a message a
 * person understands. Anything unexpected is a 500 whose details stay in the log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof AppError) {
    return { status: HTTP_STATUS[error.code], message: error.message, details: error.details };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return describeValidation(fastifyError.validation as AjvError[], fastifyError.validationContext);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'the request body is larger than this endpoint accepts', details: [] };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: fastifyError.message, details: [] };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'the request body is empty', details: [] };
  }
  if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, message: `the request body is not valid JSON: ${fastifyError.message}`, details: [] };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return { status, message: fastifyError.message, details: [] };
  return { status: 500, message: 'internal server error', details: [] };
}
