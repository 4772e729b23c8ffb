import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail } from '../errors.ts';
import { schemaProblems } from '../validation-errors.ts';

/** How many item errors a 400 lists; the message says how many items were bad in all. */
const MAX_REPORTED_ERRORS = 100;

export type Fail = (field: string, reason: string) => void;

/**
 * Validates every item of a batch with `validateItem`, which reports each
 * problem through `fail`. Either every item is valid and all come back, or
 * nothing does and the error names each bad item's index, field and reason,
 * the route schema's (`schemaErrors`) among them where the code did not find
 * the same.
 */
export function validateBatch<T>(
  items: unknown[],
  { noun, maxItems, schemaErrors = [] }: { noun: string; maxItems: number; schemaErrors?: ErrorDetail[] },
  validateItem: (item: Record<string, unknown>, fail: Fail) => T,
): T[] {
  if (items.length === 0) throw new AppError('invalid', `no ${noun} were given`);
  if (items.length > maxItems) {
    throw new AppError('too_large', `a request may hold at most ${maxItems} ${noun}, not ${items.length}`);
  }
  const errors: ErrorDetail[] = [];
  const valid = items.map((item, index) => {
    const fail: Fail = (field, reason) => errors.push({ index, field, reason });
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail('', 'must be a JSON object');
      return undefined;
    }
    return validateItem(item as Record<string, unknown>, fail);
  });
  const covered = (schema: ErrorDetail) =>
    errors.some((error) => error.index === schema.index && (schema.field + '.').startsWith(error.field ? error.field + '.' : ''));
  errors.push(...schemaErrors.filter((schema) => !covered(schema)));
  if (errors.length === 0) return valid as T[];
  errors.sort((a, b) => a.index! - b.index!);
  const { message, details } = describeBatchErrors(noun, items.length, errors);
  throw new AppError('invalid', message, details);
}

/** A batch's bad items, by index, field and reason: how every check of a batch (schema or code) words its refusal. */
function describeBatchErrors(noun: string, total: number, errors: ErrorDetail[]): { message: string; details: ErrorDetail[] } {
  const summary = errors
    .slice(0, 5)
    .map((error) => `[${error.index}]${error.field ? `.${error.field}` : ''} ${error.reason}`)
    .join('; ');
  const badItems = new Set(errors.map((error) => error.index)).size;
  return {
    message:
      `${badItems} of ${total} ${noun} are invalid, nothing was stored: ${summary}` +
      (errors.length > 5 ? `; and ${errors.length - 5} more` : ''),
    details: errors.slice(0, MAX_REPORTED_ERRORS),
  };
}

/** Splits an NDJSON body into its items; a line that is not JSON fails the whole body. */
function parseNdjson(body: string): unknown[] {
  const items: unknown[] = [];
  body.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch (error) {
      throw new AppError('invalid', `line ${index + 1} of the NDJSON body is not JSON: ${(error as Error).message}`, [
        { field: `line ${index + 1}`, reason: 'is not JSON' },
      ]);
    }
  });
  return items;
}

/** Lets the routes of `app` take `application/x-ndjson` bodies, parsed to an array of items. */
export function acceptNdjson(app: FastifyInstance) {
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseNdjson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * The items of a batch route's body and what its schema found wrong with
 * each, by index. Such a route validates with `attachValidation`, so that the
 * schema's errors and the code's are told together, every bad item at once.
 */
export function batchOf(request: FastifyRequest): { items: unknown[]; schemaErrors: ErrorDetail[] } {
  const items = Array.isArray(request.body) ? request.body : [];
  const schemaErrors = schemaProblems(request).map(({ field, reason }) => {
    const [index = '', ...rest] = field.split('.');
    return /^\d+$/.test(index) ? { index: Number(index), field: rest.join('.'), reason } : { index: 0, field, reason };
  });
  return { items, schemaErrors };
}

/**
 * A batch body is one item, a JSON array of them, or NDJSON (already an
 * array). This `preValidation` hook makes it an array, so the schema checks
 * and names items alike whichever was sent.
 */
export async function asBatch(request: FastifyRequest) {
  if (request.body !== undefined && !Array.isArray(request.body)) request.body = [request.body];
}
