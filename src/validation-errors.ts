import type { FastifyRequest } from 'fastify';
import type { ErrorDetail } from './errors.ts';

/** What ajv reports of one failed keyword (with `verbose`, the schema that failed too). */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: {
    missingProperty?: string;
    allowedValues?: unknown[];
    additionalProperty?: string;
    type?: string | string[];
    limit?: number;
  };
  /** The value that failed (with `verbose`). */
  data?: unknown;
  parentSchema?: { description?: string; properties?: Record<string, unknown> };
}

const PART_NAMES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body field',
  headers: 'header',
};

/**
 * A union (`anyOf`) fails as a whole when every branch fails, and ajv then
 * reports every branch. The branches that fail at the value's own type are
 * not what the caller meant: keep the errors of the others. When every branch
 * fails at the type, say once which types are taken.
 *
 * Ajv reports a union's branch errors just before the union's own error, so
 * each union looks back only over its own run: a batch of 20,000 items, each
 * with a union, is pruned in one pass rather than 20,000 passes over all.
 */
function pruneUnions(errors: AjvError[]): AjvError[] {
  const result: AjvError[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf') {
      result.push(error);
      continue;
    }
    const prefix = `${error.schemaPath}/`;
    const within = `${error.instancePath}/`;
    let start = result.length;
    while (start > 0) {
      const previous = result[start - 1];
      const inside = previous.instancePath === error.instancePath || previous.instancePath.startsWith(within);
      if (!inside || !previous.schemaPath.startsWith(prefix)) break;
      start--;
    }
    // Pushed one by one: spreading a 20,000-item batch's errors as arguments overflows the stack.
    for (const kept of pruneUnion(error, result.splice(start))) result.push(kept);
  }
  return result;
}

/** What is kept of one failed union, given the errors of its branches. */
function pruneUnion(union: AjvError, branches: AjvError[]): AjvError[] {
  const prefix = `${union.schemaPath}/`;
  const branchOf = (error: AjvError) => error.schemaPath.slice(prefix.length).split('/')[0];
  const typeErrors = branches.filter(
    (error) =>
      error.keyword === 'type' && error.instancePath === union.instancePath && error.schemaPath === `${prefix}${branchOf(error)}/type`,
  );
  const wrongType = new Set(typeErrors.map(branchOf));
  const others = branches.filter((error) => !wrongType.has(branchOf(error)));
  if (others.length > 0) return others;
  const types = [...new Set(typeErrors.flatMap((error) => [error.params.type ?? []].flat()))];
  return [{ ...union, keyword: 'type', params: { type: types } }];
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function reasonOf(error: AjvError): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties': {
      const known = Object.keys(error.parentSchema?.properties ?? {});
      return known.length > 0 ? `is not a field here; they are ${known.join(', ')}` : 'is not a field taken here';
    }
    case 'minItems':
      return `must hold at least ${error.params.limit} ${error.params.limit === 1 ? 'entry' : 'entries'}`;
    case 'maxItems':
      return `may hold at most ${error.params.limit} entries`;
    case 'minLength':
      return error.params.limit === 1 ? 'must not be empty' : `must be at least ${error.params.limit} characters long`;
    case 'maxLength':
      return `must be at most ${error.params.limit} characters long`;
    case 'type':
      return `must be ${[error.params.type ?? []]
        .flat()
        .flatMap((type) => type.split(','))
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ')}`;
    case 'enum': {
      const allowed = error.params.allowedValues!;
      return allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(', ')}`;
    }
    case 'pattern':
    case 'format': {
      // The schema's description says in words what the pattern says in regex.
      const described = error.parentSchema?.description;
      const value = typeof error.data === 'string' ? `, not ${JSON.stringify(error.data.slice(0, 100))}` : '';
      return described ? `must be ${described}${value}` : (error.message ?? 'is invalid');
    }
    default:
      return error.message ?? 'is invalid';
  }
}

function fieldOf(error: AjvError): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra = error.params.missingProperty ?? error.params.additionalProperty;
  return extra ? [path, extra].filter(Boolean).join('.') : path;
}

/** Each schema error as a field (dotted path) and a reason in words. */
function validationDetails(errors: AjvError[]): ErrorDetail[] {
  return describePruned(pruneUnions(errors));
}

function describePruned(errors: AjvError[]): ErrorDetail[] {
  // One reason a field: an empty name breaks both its length and its pattern.
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = fieldOf(error);
    if (seen.has(field)) continue;
    seen.add(field);
    details.push({ field, reason: reasonOf(error) });
  }
  return details;
}

/** What a batch body's schema found wrong, item by item. */
export interface ItemProblems {
  /** Whether the schema found item `index` wrong. */
  has(index: number): boolean;
  /** What the schema found wrong with item `index`, its fields named within the item. */
  of(index: number): ErrorDetail[];
}

export const NO_ITEM_PROBLEMS: ItemProblems = { has: () => false, of: () => [] };

/**
 * The schema's errors of a batch route's body (an array, see `asBatch`, that
 * validates with `attachValidation`), grouped by item in one pass. They are
 * put in words only for the items a refusal lists: the first 100 bad items
 * bring every error of theirs (see batchValidator), a thousand and more.
 */
export function itemProblems(request: FastifyRequest): ItemProblems {
  const byItem = new Map<number, AjvError[]>();
  for (const error of pruneUnions((request.validationError?.validation ?? []) as AjvError[])) {
    // An error of the body itself (not of an item) is told with the first item.
    const index = Number(/^\/(\d+)(?:\/|$)/.exec(error.instancePath)?.[1] ?? 0);
    const errors = byItem.get(index);
    if (errors) errors.push(error);
    else byItem.set(index, [error]);
  }
  return {
    has: (index) => byItem.has(index),
    of(index) {
      const within = `${index}.`;
      return describePruned(byItem.get(index) ?? []).map(({ field, reason }) => ({
        field: field === String(index) ? '' : field.startsWith(within) ? field.slice(within.length) : field || 'body',
        reason,
      }));
    },
  };
}

/**
 * What the schema found wrong with a route's body that validates with
 * `attachValidation`, so that its own checks can be told in the same answer
 * (every bad field at once); fields under `under` are named without it.
 */
export function schemaProblems(request: FastifyRequest, under = ''): ErrorDetail[] {
  const details = validationDetails((request.validationError?.validation ?? []) as AjvError[]);
  return details.map(({ field, reason }) => ({
    field: field === '' ? 'body' : under && field.startsWith(`${under}.`) ? field.slice(under.length + 1) : field,
    reason,
  }));
}

/**
 * Ajv's errors (all of them: `allErrors`) as a 400 a person reads: "query
 * parameter page: must be >= 0" rather than "querystring/page must be >= 0".
 */
export function describeValidation(errors: AjvError[], context: string | undefined): { message: string; details: ErrorDetail[] } {
  const part = PART_NAMES[context ?? ''] ?? context ?? 'request';
  const details = validationDetails(errors);
  const message = details
    .map((detail) => (detail.field ? `${part} ${detail.field}: ${detail.reason}` : `${part}: ${detail.reason}`))
    .join('; ');
  return { message, details };
}
