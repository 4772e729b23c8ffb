import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/** A run of 16 digits may be an integer a JavaScript number cannot hold exactly. */
const LONG_DIGIT_RUN = /\d{16}/;

type ReviverWithSource = (key: string, value: unknown, context: { source?: string }) => unknown;

/** Keeps an integer literal beyond 2^53 as its exact digits (a string) rather than a rounded number. */
const exactIntegers: ReviverWithSource = (_key, value, context) =>
  typeof value === 'number' && !Number.isSafeInteger(value) && context.source !== undefined && /^-?\d+$/.test(context.source)
    ? context.source
    : value;

/**
 * Parses a JSON body. IDs are int64 in the specs, so an integer past 2^53 is
 * kept exact, as its digits; the reviver that does so runs only when the text
 * has a digit run long enough to need it, since it slows parsing severalfold.
 */
export function parseJson(text: string): unknown {
  return LONG_DIGIT_RUN.test(text) ? JSON.parse(text, exactIntegers as Parameters<typeof JSON.parse>[1]) : JSON.parse(text);
}

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

function parseBody(text: string, contentType = ''): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseJson(text);
  } catch (error) {
    if (JSON_TYPE.test(contentType)) {
      throw new AppError('invalid', `the request body is not valid JSON: ${(error as Error).message}`, [
        { field: 'body', reason: 'must be JSON' },
      ]);
    }
    const sent = contentType ? `content-type ${contentType.split(';')[0]}` : 'no content-type';
    throw new AppError(
      'unsupported',
      `the request body must be JSON (content-type: application/json); this one, sent with ${sent}, is not`,
    );
  }
}

/**
 * Request bodies are JSON whatever content type they arrive with: curl's `-d`
 * sends form encoding, and the specs name no content type for several calls. A
 * body that does not parse as JSON is refused with a message saying what is
 * accepted. An empty body is no body, for the route's schema to judge.
 */
export function acceptJsonBodies(app: FastifyInstance) {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', '*'], { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parseBody(body as string, request.headers['content-type']));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
