import assert from 'node:assert/strict';
import { test } from 'node:test';
import lodashMergeWith from 'lodash/mergeWith.js';
import mergeWith from '../web/src/vendor/lodash-merge-with.ts';

/**
 * The console's build replaces lodash/mergeWith with its own (see
 * web/vite.config.ts); each case here is merged by both, from fresh inputs,
 * and must come out the same, down to which values are shared by reference.
 */
type Bag = Record<string, unknown>;
type Merge = (object: Bag, ...rest: unknown[]) => Bag;

class Point {
  x = 1;
}
const shared = { date: new Date(0), point: new Point(), fn: () => 1 };

/** @patternfly/react-table's customizer (merge-props.js), with plain objects for its React elements. */
const tableCustomizer = (a: unknown, b: unknown, key: string) => {
  if (key === 'children') return a && b ? { composed: [a, b] } : { ...(b as Bag), ...(a as Bag) };
  if (key === 'className') return [a, b].filter(Boolean).join(' ');
  return undefined;
};

const cases: Record<string, () => [Bag, ...unknown[]]> = {
  'cell props, as Td merges them': () => [
    {},
    { className: 'pf-v6-c-table__toggle', children: { type: 'button', props: { 'aria-expanded': false } } },
    { className: 'pf-m-nowrap', isVisible: true },
    {},
    { component: 'th', children: { type: 'span' }, style: { width: '10%' } },
    tableCustomizer,
  ],
  'one source: no customizer, a plain copy': () => [{}, { className: 'a', nested: { deep: [1, { two: 2 }] } }],
  'nested objects and arrays merge by key and index': () => [
    { a: { b: 1, c: [1, 2, 3] }, keep: true },
    { a: { d: 2, c: [9] } },
    { a: { c: [undefined, 8] } },
  ],
  'undefined never overwrites, but adds a missing key': () => [{ a: 1 }, { a: undefined, b: undefined }],
  'null, zero, NaN and strings are assigned': () => [
    { a: { x: 1 }, b: 0, c: NaN, d: 's' },
    { a: null, b: -0, c: NaN, d: 't' },
  ],
  'dates, class instances and functions are assigned by reference': () => [{ date: { y: 1 }, point: { z: 2 } }, shared],
  'an array over an object, an object over an array, an object over a function': () => [
    { list: { 0: 'x' }, obj: [1, 2], fn: shared.fn, str: 'abc' },
    { list: [1], obj: { k: 1 }, fn: { prop: 1 }, str: [5] },
  ],
  'an array into an array-like': () => [{ like: { length: 2, 0: 'a', 1: 'b' } }, { like: [undefined, 'c', 'd'] }],
  'a null-prototype source': () => [{}, { inner: Object.assign(Object.create(null) as Bag, { a: 1 }) }],
  'falsy sources are skipped': () => [{ a: 1 }, null, undefined, 0, '', { b: 2 }],
  'the customizer sees nested keys and may answer for them': () => [
    { outer: { className: 'x', n: 1 } },
    { outer: { className: 'y', n: 2 } },
    { outer: { className: 'z' } },
    tableCustomizer,
  ],
  'a source that refers to itself': () => {
    const loop: Bag = { name: 'loop' };
    loop.self = loop;
    return [{}, { loop }];
  },
  '__proto__ and constructor keys from parsed JSON': () => [
    {},
    JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"a": 1}, "ok": 1}'),
  ],
  'inherited enumerable keys of a source': () => [{}, Object.create({ inherited: { a: 1 } }) as Bag],
};

/** The result's shape, with each value that was passed in replaced by its name, so sharing is compared too. */
function describe(value: unknown, known: Map<unknown, string>, seen = new Set<unknown>()): unknown {
  if (known.has(value)) return `<${known.get(value)}>`;
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? '<function>' : value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  const out: Record<string, unknown> = {
    proto: Object.getPrototypeOf(value) === Array.prototype ? 'array' : typeof Object.getPrototypeOf(value),
  };
  for (const key of Reflect.ownKeys(value)) out[String(key)] = describe((value as Bag)[key as string], known, seen);
  seen.delete(value);
  return out;
}

for (const [name, make] of Object.entries(cases)) {
  test(`mergeWith matches lodash: ${name}`, () => {
    const run = (merge: Merge) => {
      const [object, ...rest] = make();
      const known = new Map<unknown, string>(Object.entries(shared).map(([key, value]) => [value, key]));
      const result = merge(object, ...rest);
      assert.equal(result, object, 'merges into its first argument');
      return describe(result, known);
    };
    assert.deepEqual(run(mergeWith), run(lodashMergeWith as Merge));
  });
}

test('mergeWith leaves the prototype of Object alone', () => {
  mergeWith({}, JSON.parse('{"__proto__": {"polluted": 1}}'));
  assert.equal(({} as Bag).polluted, undefined);
});
