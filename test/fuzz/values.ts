/**
 * Malformed values the fuzzer puts wherever a request carries a value: each
 * class answered 500 somewhere once, or could have.
 */

/** Text values, for path segments, query parameters and string fields. */
export const BAD_TEXTS: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\t\r\n',
  'x'.repeat(5000),
  'Infinity',
  '-Infinity',
  'NaN',
  '1e300',
  '-1',
  '0',
  '1.5',
  '9223372036854775807',
  '9223372036854775808',
  '12345678901234567890',
  '2026-11-25T10:00:00+20:00',
  '2026-11-25T10:00:00-16:00',
  '2026-11-25T10:00:00+15:59',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
  'null',
  'true',
  '[]',
  '{}',
  '../../etc/passwd',
  '%',
  '%00',
  '\ud800',
  '🤡',
  "'; drop table payloads; --",
  ',',
  'a,,b',
  '[1,"x"]',
];

/** JSON values of every type, for body fields. */
export const BAD_JSON_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  [],
  [null],
  {},
  { nested: { deeper: [1, 'x', null] } },
  ...BAD_TEXTS,
];

/** A JSON document nested `depth` levels deep. */
export const deeplyNested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Whole bodies that are not the JSON a route expects. */
export const BAD_BODIES: { name: string; body: Buffer | string; contentType?: string }[] = [
  { name: 'empty', body: '' },
  { name: 'truncated object', body: '{"a": [1, 2' },
  { name: 'truncated string', body: '{"a": "b' },
  { name: 'not JSON', body: 'hello' },
  { name: 'JSON null', body: 'null' },
  { name: 'JSON number', body: '1e999' },
  { name: 'JSON string', body: '"x"' },
  { name: 'nested 100,000 deep', body: deeplyNested(100_000) },
  { name: 'nested objects', body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]) },
  { name: 'repeated keys', body: '{"params": {"task_id": 1, "task_id": "x"}, "attrs": 1, "attrs": {"name": 1}}' },
  { name: 'byte order mark', body: '\ufeff{}' },
  { name: 'NUL in a key', body: '{"a\\u0000": 1}' },
  { name: 'huge integer', body: '{"params": {"task_id": 123456789012345678901234567890}}' },
  { name: 'form encoded', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
  { name: 'JSON as text/plain', body: '{}', contentType: 'text/plain' },
  { name: 'unknown charset', body: '{}', contentType: 'application/json; charset=ebcdic' },
  { name: 'bad content type', body: '{}', contentType: '%%%' },
  { name: 'NDJSON with a bad line', body: '{}\n{', contentType: 'application/x-ndjson' },
];

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Credentials that must be refused (or ignored) cleanly. */
export const BAD_HEADERS: Record<string, string>[] = [
  { authorization: 'Bearer' },
  { authorization: 'Bearer trk_not-a-token' },
  { authorization: 'Basic dXNlcjpwYXNz' },
  { authorization: 'Bearer ' + 'x'.repeat(4000) },
  { 'x-rh-identity': '%%%not-base64' },
  { 'x-rh-identity': base64('null') },
  { 'x-rh-identity': base64('{"identity": []}') },
  { 'x-rh-identity': base64('{"identity": {"org_id": {}}}') },
  { 'x-rh-identity': base64('{"identity": {"org_id": "a\\u0000b"}}') },
  { 'x-rh-identity': base64('{"identity": {"org_id": 1e308, "type": "Associate"}}') },
  { 'x-rh-identity': base64('{"identity": {"internal": {"org_id": " "}}}') },
  { 'x-rh-identity': base64(deeplyNested(50_000)) },
];
