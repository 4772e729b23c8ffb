import { isDeepStrictEqual } from 'node:util';
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type Validator = ((data: unknown) => boolean | Promise<unknown>) & { errors?: object[] | null };

/** How many bad items of a batch body have each of their errors told; the others get one error each. */
export const LISTED_BAD_ITEMS = 100;

/**
 * How every route's schema is enforced. All errors are reported (allErrors),
 * with the schema that failed (verbose), so they can be told in words.
 * Parameters, query strings and headers arrive as text and are coerced to the
 * schema's types; a JSON body is taken as sent: `[1, 2]` is not a list of
 * strings, and `"true"` is not a boolean.
 */
export function schemaValidators(): NonNullable<FastifyServerOptions['schemaController']> {
  // allowUnionTypes: `type: [integer, string]` says an ID may come either way.
  const common = { removeAdditional: false, allErrors: true, verbose: true, allowUnionTypes: true } as const;
  const coercing = AjvCompiler();
  const asSent = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas) {
        const forText = coercing(externalSchemas, { customOptions: { ...common, coerceTypes: true } });
        const forBody = asSent(externalSchemas, { customOptions: { ...common, coerceTypes: false } });
        return (route) => {
          if (route.httpPart !== 'body') return forText(route);
          const item = batchItemOf(route.schema);
          if (!item) return forBody(route);
          return batchValidator(forBody({ ...route, schema: item }));
        };
      },
    },
  };
}

/** The item of a batch body's schema: one item or an array of the same item (see `asBatch`). */
function batchItemOf(schema: unknown): unknown {
  const branches = (schema as { anyOf?: { type?: unknown; items?: unknown }[] }).anyOf;
  if (branches?.length !== 2 || branches[1].type !== 'array') return undefined;
  return isDeepStrictEqual(branches[1].items, branches[0]) ? branches[0] : undefined;
}

/** Items a batch's schema checks between two turns of the event loop. */
const ITEMS_PER_STEP = 2000;

/**
 * Checks a batch item by item rather than as one array: ajv would gather
 * every error of every item first (200,000 for 20,000 items with ten bad
 * fields, a second of the event loop). The first bad items keep all their
 * errors, each later one a single error that says it is bad, so the refusal
 * can count them; the cost stays one pass over the items. A batch of more
 * than 2,000 items is checked in steps, the event loop let through between
 * them, and the errors then come with the rejection Fastify expects of an
 * asynchronous validator.
 */
function batchValidator<V extends Validator>(validateItem: V): V {
  function checkItems(items: unknown[], from: number, to: number, found: { errors: object[]; badItems: number }) {
    for (let index = from; index < to; index++) {
      if (validateItem(items[index]) === true) continue;
      if (found.badItems++ >= LISTED_BAD_ITEMS) {
        found.errors.push({ instancePath: `/${index}`, schemaPath: '#', keyword: 'item', params: {}, message: 'is invalid' });
        continue;
      }
      for (const error of validateItem.errors ?? []) {
        const { instancePath } = error as { instancePath: string };
        found.errors.push({ ...error, instancePath: `/${index}${instancePath}` });
      }
    }
  }
  async function checkInSteps(items: unknown[]): Promise<true> {
    const found = { errors: [] as object[], badItems: 0 };
    for (let from = 0; from < items.length; from += ITEMS_PER_STEP) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      checkItems(items, from, Math.min(items.length, from + ITEMS_PER_STEP), found);
    }
    if (found.errors.length > 0) throw Object.assign(new Error('the body does not match its schema'), { validation: found.errors });
    return true;
  }
  const validate: Validator = (body) => {
    if (!Array.isArray(body)) {
      const valid = validateItem(body);
      validate.errors = validateItem.errors;
      return valid;
    }
    if (body.length > ITEMS_PER_STEP) return checkInSteps(body);
    const found = { errors: [] as object[], badItems: 0 };
    checkItems(body, 0, body.length, found);
    validate.errors = found.errors.length > 0 ? found.errors : null;
    return found.errors.length === 0;
  };
  // Fastify calls it as it calls the item's validator, and reads only its `errors` (or an async one's rejection).
  return validate as V;
}
