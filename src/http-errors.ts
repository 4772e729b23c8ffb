import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { AppError, HTTP_STATUS, type ErrorDetail } from './errors.ts';
import { describeValidation } from './validation-errors.ts';

/** An error as the HTTP edge sees it, before an API renders it in its own body. */
export interface HttpError {
  status: number;
  message: string;
  details: ErrorDetail[];
  /** Seconds after which the same request may succeed (a `Retry-After` header). */
  retryAfterSeconds?: number;
}

/** Longest path parameter Fastify routes (its maxParamLength); a longer one is a 414. */
export const MAX_PARAM_LENGTH = 100;

/** How long a client should wait before retrying while the database is unreachable. */
const DATABASE_RETRY_SECONDS = 5;

/**
 * Maps any error thrown while serving a request to a status and a message a
 * person understands. Anything unexpected is a 500 whose details stay in the log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof AppError) {
    const { code, message, details, retryAfterSeconds } = error;
    return { status: HTTP_STATUS[code], message, details, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      message: `the database cannot be reached just now; try again in ${DATABASE_RETRY_SECONDS} seconds`,
      details: [],
      retryAfterSeconds: DATABASE_RETRY_SECONDS,
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return { status: 400, ...describeValidation(fastifyError.validation, fastifyError.validationContext) };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'the request body is larger than this endpoint accepts', details: [] };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: 'the request body is not as long as its content-length header says', details: [] };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'the content-type header is malformed; send application/json', details: [] };
    case 'FST_ERR_BAD_URL':
      return { status: 400, message: 'the path holds a malformed %-encoding: % must be followed by two hexadecimal digits', details: [] };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, message: `a path segment is longer than ${MAX_PARAM_LENGTH} characters`, details: [] };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return { status, message: fastifyError.message, details: [] };
  return { status: 500, message: 'internal server error', details: [] };
}

/**
 * An API's error handler: maps the error once, logs what the server got wrong,
 * and sends the body `render` makes in that API's envelope (at the status it
 * picks, the mapped one by default).
 */
export function errorRenderer(render: (error: HttpError) => { status?: number; body: unknown }) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (httpError.retryAfterSeconds) reply.header('retry-after', String(httpError.retryAfterSeconds));
    const { status = httpError.status, body } = render(httpError);
    void reply.code(status).send(body);
  };
}

/** What a request Node's HTTP parser refused got wrong, by the parser's error code. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request headers are larger than 16 KiB'],
  HPE_INVALID_METHOD: [400, 'the request method is not one HTTP defines'],
  HPE_INVALID_VERSION: [400, 'only HTTP/1.0 and HTTP/1.1 are served'],
  HPE_INVALID_URL: [400, 'the request target holds characters a URL may not'],
  HPE_INVALID_HEADER_TOKEN: [400, 'a header name or value holds a character HTTP does not allow'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'the content-length header is not a number'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'a request may not carry both content-length and transfer-encoding'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'the transfer-encoding header is not chunked'],
  HPE_INVALID_CHUNK_SIZE: [400, 'a chunk of the body has a malformed size'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive in time'],
};

/**
 * How long a connection answered here stays open after the answer, for the
 * client to read it: closing at once with its unread input pending would reset
 * the connection, and the client might lose the answer.
 */
const CLIENT_ERROR_LINGER_MS = 1000;

/**
 * Answers a request that never reached a route because it is not valid HTTP,
 * in the payload tracker's envelope (as unknown paths are), then closes the
 * connection: after a malformed request the stream cannot be trusted. Ending
 * our side is not enough: a client that never ends its own kept the socket,
 * and 20,400 such clients used up the process's file descriptors.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket) {
  // A connection that sent nothing asked nothing: it is closed unanswered. Thousands of idle
  // connections timing out in the same second were each written a 408, 224 ms of the event loop.
  if (!socket.writable || socket.bytesRead === 0) return socket.destroy();
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ title: STATUS_CODES[status], message, status });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}
