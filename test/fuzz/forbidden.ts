/**
 * Values a JSON schema forbids, made from the schema itself: what a test sends
 * to prove a route enforces the schema its /openapi.json documents.
 */

export interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
}

/** One spoiled value: what was done, and the whole body with it in place. */
export interface Forbidden {
  label: string;
  value: unknown;
}

const jsonType = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

function allowedTypes(schema: JsonSchema): Set<string> | undefined {
  if (schema.anyOf) {
    const branches = schema.anyOf.map(allowedTypes);
    return branches.some((branch) => !branch) ? undefined : new Set(branches.flatMap((branch) => [...branch!]));
  }
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  if (!schema.type) return undefined;
  const types = new Set([schema.type].flat());
  if (types.has('number')) types.add('integer');
  return types;
}

/** The branch of a union that `value` is meant for: the first whose types take it. */
function branchFor(schema: JsonSchema, value: unknown): JsonSchema {
  if (!schema.anyOf) return schema;
  return schema.anyOf.find((branch) => allowedTypes(branch)?.has(jsonType(value)) ?? true) ?? schema;
}

const CANDIDATES: unknown[] = [42, 'text', true, [], {}, null];

/** Values `schema` forbids in place of the valid `value` (a body, or a part of one), each spoiled in one place. */
export function forbiddenBodies(schema: JsonSchema, value: unknown): Forbidden[] {
  const spoiled: Forbidden[] = [];
  const types = allowedTypes(schema);
  const wrongType = types && CANDIDATES.find((candidate) => !types.has(jsonType(candidate)));
  if (wrongType !== undefined) spoiled.push({ label: `a ${jsonType(wrongType)}`, value: wrongType });
  const own = branchFor(schema, value);
  if (own.enum && typeof value === 'string') spoiled.push({ label: 'a value outside its enum', value: 'not-one-of-these' });
  if (typeof value === 'string') {
    if (own.maxLength !== undefined) spoiled.push({ label: 'one character too long', value: 'x'.repeat(own.maxLength + 1) });
    if (own.minLength) spoiled.push({ label: 'too short', value: '' });
    if (own.pattern) {
      const pattern = new RegExp(own.pattern, 'u');
      const mismatch = [' ', '!', '', '\u00e9\u00e9'].find((candidate) => !pattern.test(candidate));
      if (mismatch !== undefined) spoiled.push({ label: `not matching ${own.pattern}`, value: mismatch });
    }
  }
  if (typeof value === 'number') {
    // An integer literal past 2^53 reaches the schema as its digits (see parseJson); in exponent form it stays a number.
    if (own.maximum !== undefined) {
      spoiled.push({ label: 'past its maximum', value: own.maximum < Number.MAX_SAFE_INTEGER ? own.maximum + 1 : 1e300 });
    }
    if (own.minimum !== undefined) spoiled.push({ label: 'under its minimum', value: own.minimum - 1 });
  }
  if (Array.isArray(value)) {
    if (own.minItems) spoiled.push({ label: 'an empty array', value: [] });
    if (own.maxItems !== undefined && value.length > 0) {
      spoiled.push({ label: `${own.maxItems + 1} items`, value: Array.from({ length: own.maxItems + 1 }, () => value[0]) });
    }
    if (own.items && value.length > 0) {
      for (const inner of forbiddenBodies(own.items, value[0]))
        spoiled.push({ label: `item 0 ${inner.label}`, value: [inner.value, ...value.slice(1)] });
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && own.properties) {
    const record = value as Record<string, unknown>;
    for (const name of own.required ?? []) {
      const { [name]: _, ...without } = record;
      spoiled.push({ label: `without ${name}`, value: without });
    }
    if (own.additionalProperties === false) spoiled.push({ label: 'with an unknown field', value: { ...record, unknown_field: 1 } });
    for (const [name, propertySchema] of Object.entries(own.properties)) {
      if (!(name in record)) continue;
      for (const inner of forbiddenBodies(propertySchema, record[name])) {
        spoiled.push({ label: `${name} ${inner.label}`, value: { ...record, [name]: inner.value } });
      }
    }
  }
  return spoiled;
}

/** Query values `schema` (a query parameter's) forbids. */
export function forbiddenQueryValues(schema: JsonSchema): Forbidden[] {
  const spoiled: Forbidden[] = [];
  const types = allowedTypes(schema);
  if (types && !types.has('string')) spoiled.push({ label: 'not a number', value: 'abc' });
  if (schema.enum) spoiled.push({ label: 'outside its enum', value: 'not-one-of-these' });
  if (schema.maximum !== undefined) spoiled.push({ label: 'past its maximum', value: String(schema.maximum + 1) });
  if (schema.minimum !== undefined) spoiled.push({ label: 'under its minimum', value: String(schema.minimum - 1) });
  return spoiled;
}
