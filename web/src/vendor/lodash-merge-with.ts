/**
 * lodash's `mergeWith`, which the console's build puts in place of
 * `lodash/mergeWith` (see vite.config.ts). It is @patternfly/react-table's
 * only lodash import that the console reaches (Td and Th merge their cell
 * props with it), and the real one brings ~100 lodash modules, 6.7 KB
 * gzipped, to every page with a table.
 *
 * Same rules as lodash for what props hold: plain objects and arrays are
 * merged deep into the first argument (arrays by index), anything else is
 * assigned, an undefined value never overwrites a key that exists, the
 * customizer (the last argument, when there are two sources or more) decides
 * first, and a source that refers to itself is merged once. Unlike lodash,
 * typed arrays, buffers and `arguments` objects are assigned, not copied.
 * test/console-merge-with.test.ts holds it to lodash's answers.
 */
type Bag = Record<string, unknown>;
type Customizer = (objValue: unknown, srcValue: unknown, key: string, object: Bag, source: Bag) => unknown;

export default function mergeWith(object: Bag, ...sources: unknown[]): Bag {
  const customizer = sources.length > 1 && typeof sources.at(-1) === 'function' ? (sources.pop() as Customizer) : undefined;
  for (const source of sources) {
    if (source) mergeInto(object, source as Bag, customizer, new Map());
  }
  return object;
}

function mergeInto(object: Bag, source: Bag, customizer: Customizer | undefined, merging: Map<unknown, unknown>) {
  if (object === source) return;
  for (const key in source) {
    const srcValue = safeGet(source, key);
    const objValue = safeGet(object, key);
    const stacked = merging.get(srcValue);
    if (stacked !== undefined) {
      assign(object, key, stacked);
      continue;
    }
    const chosen = customizer?.(objValue, srcValue, key, object, source);
    if (chosen !== undefined || !isObject(srcValue)) {
      assign(object, key, chosen === undefined ? srcValue : chosen);
      continue;
    }
    const target = Array.isArray(srcValue) ? arrayTarget(objValue) : isPlainObject(srcValue) ? objectTarget(objValue) : undefined;
    if (target === undefined) {
      assign(object, key, srcValue);
      continue;
    }
    merging.set(srcValue, target);
    mergeInto(target, srcValue as Bag, customizer, merging);
    merging.delete(srcValue);
    assign(object, key, target);
  }
}

const isObject = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (proto as { constructor: unknown }).constructor : undefined;
  return typeof Ctor === 'function' && Function.prototype.toString.call(Ctor) === Function.prototype.toString.call(Object);
}

/** An array source merges into the array already there, a copy of an array-like there, or a new array. */
function arrayTarget(objValue: unknown): Bag {
  if (Array.isArray(objValue)) return objValue as unknown as Bag;
  if (isObject(objValue) && typeof objValue !== 'function' && isLength((objValue as { length?: unknown }).length)) {
    return Array.from(objValue as ArrayLike<unknown>) as unknown as Bag;
  }
  return [] as unknown as Bag;
}

/** A plain-object source merges into the object already there, or a new one. */
const objectTarget = (objValue: unknown): Bag => (isObject(objValue) && typeof objValue !== 'function' ? (objValue as Bag) : {});

const isLength = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** lodash never reads `__proto__`, nor a function-valued `constructor`, from either side. */
function safeGet(object: Bag, key: string): unknown {
  if (key === '__proto__') return undefined;
  const value = object[key];
  return key === 'constructor' && typeof value === 'function' ? undefined : value;
}

function assign(object: Bag, key: string, value: unknown) {
  const differs = value !== undefined && !Object.is(object[key], value) && !(object[key] === 0 && value === 0);
  if (differs || (value === undefined && !(key in object))) {
    if (key === '__proto__') Object.defineProperty(object, key, { value, configurable: true, enumerable: true, writable: true });
    else object[key] = value;
  }
}
