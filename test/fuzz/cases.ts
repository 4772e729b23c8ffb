import { BAD_BODIES, BAD_HEADERS, BAD_JSON_VALUES, BAD_TEXTS } from './values.ts';

/** One request the fuzzer sends. */
export interface FuzzCase {
  /** What was malformed, for the failure message. */
  label: string;
  /** Which route of /openapi.json it exercises: `GET /v1/payloads/{request_id}`. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** A valid request of each route, which the fuzzer spoils one part at a time. */
export interface Seeds {
  /** A valid value of each path parameter, by name. */
  pathParams: Record<string, string>;
  /** A valid JSON body of each route that takes one, by `METHOD /path`. */
  bodies: Record<string, unknown>;
  /** Credentials accepted by every route: a token with every scope, an identity. */
  headers: Record<string, string>;
}

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
}

/** Percent-encodings a URL parser may choke on, sent as they are. */
const RAW_SEGMENTS = ['%ff', '%zz', '%c3%28', '%', '%2e%2e'];

/** Every path in `doc` with its parameters filled in from `params`. */
function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'x');
}

/** Every leaf (and inner node) of a JSON value, as a path of keys. */
function valuePaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...valuePaths(item, [...prefix, index])));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...valuePaths(item, [...prefix, key]));
  }
  return paths;
}

function replaced(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
}

/**
 * The fuzzer's requests for every route and method of an OpenAPI document:
 * each path parameter, query parameter, body field and whole body replaced by
 * each malformed value, and each route called with broken credentials.
 */
export function fuzzCases(doc: { paths: Record<string, Record<string, Operation>> }, seeds: Seeds): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [lowerMethod, operation] of Object.entries(operations)) {
      const method = lowerMethod.toUpperCase();
      const route = `${method} ${template}`;
      const seedBody = seeds.bodies[route];
      const jsonBody = seedBody === undefined ? undefined : JSON.stringify(seedBody);
      const add = (label: string, parts: { path?: string; headers?: Record<string, string>; body?: Buffer | string }) => {
        const body = parts.body ?? jsonBody;
        cases.push({
          label,
          route,
          method,
          path: parts.path ?? fillPath(template, seeds.pathParams),
          headers: { ...seeds.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...parts.headers },
          body,
        });
      };
      add('the valid request', {});
      for (const parameter of operation.parameters ?? []) {
        for (const text of BAD_TEXTS) {
          const value = encodeURIComponent(text.toWellFormed());
          if (parameter.in === 'path') {
            add(`path ${parameter.name}=${JSON.stringify(text)}`, {
              path: fillPath(template, { ...seeds.pathParams, [parameter.name]: value }),
            });
          } else if (parameter.in === 'query') {
            add(`query ${parameter.name}=${JSON.stringify(text)}`, {
              path: `${fillPath(template, seeds.pathParams)}?${parameter.name}=${value}`,
            });
          }
        }
        for (const raw of RAW_SEGMENTS) {
          if (parameter.in === 'path')
            add(`path ${parameter.name}=${raw} (raw)`, { path: fillPath(template, { ...seeds.pathParams, [parameter.name]: raw }) });
          if (parameter.in === 'query')
            add(`query ${parameter.name}=${raw} (raw)`, { path: `${fillPath(template, seeds.pathParams)}?${parameter.name}=${raw}` });
        }
      }
      if (operation.requestBody !== undefined || seedBody !== undefined) {
        for (const bad of BAD_BODIES) {
          add(`body: ${bad.name}`, { body: bad.body, headers: { 'content-type': bad.contentType ?? 'application/json' } });
        }
        add('body without a content type', { headers: { 'content-type': '' } });
        for (const path of valuePaths(seedBody)) {
          for (const value of BAD_JSON_VALUES) {
            add(`body ${path.join('.')}=${JSON.stringify(value)?.slice(0, 40)}`, { body: JSON.stringify(replaced(seedBody, path, value)) });
          }
        }
      }
      for (const headers of BAD_HEADERS) {
        const replacing = { authorization: '', 'x-rh-identity': '', ...headers };
        add(`headers ${JSON.stringify(headers).slice(0, 80)}`, { headers: replacing });
      }
    }
  }
  return cases;
}
