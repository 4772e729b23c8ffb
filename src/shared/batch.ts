import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail } from '../errors.ts';
import { LISTED_BAD_ITEMS } from '../schema-validators.ts';
import { itemProblems, NO_ITEM_PROBLEMS, type ItemProblems } from '../validation-errors.ts';

/**
 * How many item errors a 400 lists; the message counts the other bad items. No more than the
 * bad items whose every schema error is told, so a listed item's schema errors are all there.
 */
const MAX_REPORTED_ERRORS = LISTED_BAD_ITEMS;

export type Fail = (field: string, reason: string) => void;

/** What a batch route takes: what its items are called, and how many one request may hold. */
export interface BatchLimits {
  noun: string;
  maxItems: number;
}

/** Refuses a batch of more than `maxItems` items: checked before anything else looks at them. */
function checkBatchSize(count: number, { noun, maxItems }: BatchLimits) {
  if (count === 0) throw new AppError('invalid', `no ${noun} were given`);
  if (count > maxItems) throw new AppError('too_large', `a request may hold at most ${maxItems} ${noun}, not ${count}`);
}

/**
 * Validates every item of a batch with `validateItem`, which reports each
 * problem through `fail`. Either every item is valid and all come back, or
 * nothing does and the error names the first bad items' index, field and
 * reason, the route schema's (`schemaProblems`) among them where the code did
 * not find the same, and counts the other bad items. One pass over the items:
 * a refusal costs what checking the batch costs, however many errors it holds.
 */
export function validateBatch<T>(items: unknown[], options: BatchOptions, validateItem: ItemValidator<T>): T[] {
  const checking = batchCheck(items, options, validateItem);
  items.forEach((_, index) => checking.check(index));
  return checking.result();
}

/** Items checked between two turns of the event loop by validateBatchInSteps. */
const ITEMS_PER_STEP = 2000;

/**
 * validateBatch, letting the event loop through every 2,000 items: the
 * checks of a 20,000-event request took 40–60 ms on a cold process, in one go.
 */
export async function validateBatchInSteps<T>(items: unknown[], options: BatchOptions, validateItem: ItemValidator<T>): Promise<T[]> {
  const checking = batchCheck(items, options, validateItem);
  for (let index = 0; index < items.length; index++) {
    if (index > 0 && index % ITEMS_PER_STEP === 0) await new Promise((resolve) => setImmediate(resolve));
    checking.check(index);
  }
  return checking.result();
}

export type BatchOptions = BatchLimits & { schemaProblems?: ItemProblems };
export type ItemValidator<T> = (item: Record<string, unknown>, fail: Fail) => T;

/** The state of one batch's validation: each item checked in turn, then the result or the refusal. */
function batchCheck<T>(
  items: unknown[],
  { noun, maxItems, schemaProblems = NO_ITEM_PROBLEMS }: BatchOptions,
  validateItem: ItemValidator<T>,
) {
  checkBatchSize(items.length, { noun, maxItems });
  const found = new BatchErrors();
  const valid: T[] = new Array<T>(items.length);
  return {
    check(index: number) {
      const item = items[index];
      const itemErrors: ErrorDetail[] = [];
      const fail: Fail = (field, reason) => itemErrors.push({ index, field, reason });
      if (typeof item !== 'object' || item === null || Array.isArray(item)) fail('', 'must be a JSON object');
      else valid[index] = validateItem(item as Record<string, unknown>, fail);
      if (found.full) {
        if (itemErrors.length > 0 || schemaProblems.has(index)) found.unlisted++;
        return;
      }
      const covered = (schema: ErrorDetail) =>
        itemErrors.some((error) => (schema.field + '.').startsWith(error.field ? error.field + '.' : ''));
      const schemaOnly = schemaProblems
        .of(index)
        .filter((schema) => !covered(schema))
        .map((schema) => ({ index, ...schema }));
      found.add([...itemErrors, ...schemaOnly]);
    },
    result(): T[] {
      if (found.listed.length === 0) return valid;
      throw new AppError('invalid', found.describe(noun, items.length), found.listed);
    },
  };
}

/** A batch's errors as they are found, item by item: the first ones listed, the other bad items counted. */
class BatchErrors {
  readonly listed: ErrorDetail[] = [];
  listedItems = 0;
  /** Bad items found once the list was full. */
  unlisted = 0;

  get full() {
    return this.listed.length >= MAX_REPORTED_ERRORS;
  }

  add(itemErrors: ErrorDetail[]) {
    if (itemErrors.length === 0) return;
    this.listedItems++;
    for (const error of itemErrors.slice(0, MAX_REPORTED_ERRORS - this.listed.length)) this.listed.push(error);
  }

  /** How a batch's refusal is worded, with its first few errors. */
  describe(noun: string, total: number): string {
    const summary = this.listed
      .slice(0, 5)
      .map((error) => `[${error.index}]${error.field ? `.${error.field}` : ''} ${error.reason}`)
      .join('; ');
    const more = this.listed.length > 5 ? `; and ${this.listed.length - 5} more listed` : '';
    const unlisted = this.unlisted > 0 ? `; ${this.unlisted} more invalid ${noun} are not listed` : '';
    return `${this.listedItems + this.unlisted} of ${total} ${noun} are invalid, nothing was stored: ${summary}${more}${unlisted}`;
  }
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
 * each. Such a route validates with `attachValidation`, so that the schema's
 * errors and the code's are told together, every bad item at once.
 */
export function batchOf(request: FastifyRequest): { items: unknown[]; schemaProblems: ItemProblems } {
  return { items: Array.isArray(request.body) ? request.body : [], schemaProblems: itemProblems(request) };
}

/**
 * A batch body is one item, a JSON array of them, or NDJSON (already an
 * array). This `preValidation` hook makes it an array, so the schema checks
 * and names items alike whichever was sent, and refuses too many items before
 * the schema looks at any.
 */
export function asBatch(limits: BatchLimits) {
  return async (request: FastifyRequest) => {
    if (request.body === undefined) return;
    if (!Array.isArray(request.body)) request.body = [request.body];
    checkBatchSize((request.body as unknown[]).length, limits);
  };
}
