import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration } from '../src/shared/measures.ts';
import { canonicalRequestId, canonicalUuid } from '../src/shared/request-id.ts';
import { parseTimestamp } from '../src/shared/timestamps.ts';

describe('parseTimestamp', () => {
  const accepted: [string, string, string][] = [
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000000+00:00', '2026-11-25'],
    ['2026-11-25t10:00:00z', '2026-11-25T10:00:00.000000+00:00', '2026-11-25'],
    ['2026-11-25 10:00:00', '2026-11-25T10:00:00.000000+00:00', '2026-11-25'],
    ['2026-11-25T10:00:00.1', '2026-11-25T10:00:00.100000+00:00', '2026-11-25'],
    ['2026-11-25T23:59:59.9999999Z', '2026-11-25T23:59:59.999999+00:00', '2026-11-25'],
    ['2026-11-25T01:00:00+02:00', '2026-11-25T01:00:00.000000+02:00', '2026-11-24'],
    ['2026-11-25T22:00:00-05:30', '2026-11-25T22:00:00.000000-05:30', '2026-11-26'],
    ['2026-11-25T22:00:00-0530', '2026-11-25T22:00:00.000000-05:30', '2026-11-26'],
    ['2026-11-25T10:00:00 01:00', '2026-11-25T10:00:00.000000+01:00', '2026-11-25'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000000+00:00', '2028-02-29'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000000+00:00', '2000-02-29'],
  ];
  for (const [input, iso, day] of accepted) {
    test(`reads ${input}`, () => {
      const parsed = parseTimestamp(input);
      assert.equal(parsed?.iso, iso);
      assert.equal(parsed?.utcDay, day);
    });
  }

  test('milliseconds since the epoch, the microseconds cut', () => {
    assert.equal(parseTimestamp('1970-01-01T00:00:01.000999Z')?.epochMs, 1_000);
    assert.equal(parseTimestamp('2026-11-25T10:00:00.123456+01:00')?.epochMs, 1795597200123);
    assert.equal(parseTimestamp('0099-12-31T23:00:00-01:30')?.epochMs, Date.parse('0100-01-01T00:30:00Z'));
    assert.equal(parseTimestamp('0099-12-31T23:00:00-01:30')?.utcDay, '0100-01-01');
  });

  for (const input of [
    '',
    'now',
    '2026-11-25',
    '2026-11-25T10:00',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T10:60:00Z',
    '2026-11-25T10:00:60Z',
    '2026-11-25T10:00:00+24:00',
    '2026-11-25T10:00:00.Z',
    '25/11/2026 10:00:00',
  ]) {
    test(`refuses "${input}"`, () => assert.equal(parseTimestamp(input), undefined));
  }
});

describe('request IDs and UUIDs', () => {
  test('32 hex digits and a dashed UUID are one canonical ID', () => {
    assert.equal(canonicalRequestId('ABCDEF0123456789ABCDEF0123456789'), 'abcdef0123456789abcdef0123456789');
    assert.equal(canonicalRequestId('abcdef01-2345-6789-ABCD-ef0123456789'), 'abcdef0123456789abcdef0123456789');
  });

  test('other IDs are kept as sent; malformed ones are refused', () => {
    assert.equal(canonicalRequestId('Job_1-a'), 'Job_1-a');
    assert.equal(canonicalRequestId('x'.repeat(64)), 'x'.repeat(64));
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'é', 'a.b']) assert.equal(canonicalRequestId(bad), undefined, bad);
  });

  test('UUIDs are dashed and lower-case', () => {
    assert.equal(canonicalUuid('AAAAAAAA0000400080000000000000AA'), 'aaaaaaaa-0000-4000-8000-0000000000aa');
    assert.equal(canonicalUuid('not-a-uuid'), undefined);
  });
});

describe('formatDuration', () => {
  test('HH:MM:SS.ffffff, hours past 24', () => {
    assert.equal(formatDuration(0n), '00:00:00.000000');
    assert.equal(formatDuration(1n), '00:00:00.000001');
    assert.equal(formatDuration(61_500_000n), '00:01:01.500000');
    assert.equal(formatDuration(100n * 3600n * 1_000_000n + 7n), '100:00:00.000007');
  });
});
