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
 */
function pruneUnions(errors: AjvError[]): AjvError[] {
  let result = errors;
  for (const union of errors.filter((error) => error.keyword === 'anyOf')) {
    if (!result.includes(union)) continue; // inside a branch already dropped
    const prefix = `${union.schemaPath}/`;
    const branchOf = (error: AjvError) =>
      error.schemaPath.startsWith(prefix) ? error.schemaPath.slice(prefix.length).split('/')[0] : undefined;
    const typeErrors = result.filter(
      (error) =>
        error.keyword === 'type' && error.instancePath === union.instancePath && error.schemaPath === `${prefix}${branchOf(error)}/type`,
    );
    const wrongType = new Set(typeErrors.map(branchOf));
    const others = result.filter((error) => error !== union && !wrongType.has(branchOf(error)));
    const otherBranchesFailed = others.some((error) => branchOf(error) !== undefined);
    if (otherBranchesFailed) result = others;
    else {
      const types = [...new Set(typeErrors.flatMap((error) => [error.params.type ?? []].flat()))];
      result = [...others, { ...union, keyword: 'type', params: { type: types } }];
    }
  }
  return result;
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
  const details = pruneUnions(errors).map((error) => ({ field: fieldOf(error), reason: reasonOf(error) }));
  // One reason a field: an empty name breaks both its length and its pattern.
  return details.filter((detail, index) => details.findIndex((other) => other.field === detail.field) === index);
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
