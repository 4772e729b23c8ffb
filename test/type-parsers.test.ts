import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { rfc3339FromPostgres } from '../src/db/type-parsers.ts';
import { freshDatabase } from './helpers.ts';

test('both drivers read int8 as exact text and timestamptz as RFC 3339 UTC with microseconds, in any session time zone', async () => {
  const database = await freshDatabase();
  try {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      await database.db.connection().execute(async (db) => {
        await sql`select set_config('TimeZone', ${zone}, false)`.execute(db);
        const { rows } = await sql<{ big: unknown; count: unknown; at: unknown; whole: unknown; old: unknown }>`
          select 9007199254740993::int8 as big, count(*) as count,
            '2026-11-25 10:00:00.123456+00'::timestamptz as at, '2026-03-29 01:00:00Z'::timestamptz as whole,
            '1969-12-31 23:59:59.999999Z'::timestamptz as old
          from (values (1), (2)) v`.execute(db);
        assert.deepEqual(
          rows[0],
          {
            big: '9007199254740993',
            count: '2',
            at: '2026-11-25T10:00:00.123456Z',
            whole: '2026-03-29T01:00:00.000000Z',
            old: '1969-12-31T23:59:59.999999Z',
          },
          zone,
        );
        await sql`select set_config('TimeZone', 'UTC', false)`.execute(db);
      });
    }
  } finally {
    await database.close();
  }
});

test('an offset of hours, minutes and seconds is taken off; anything but the ISO DateStyle is refused by name', () => {
  assert.equal(rfc3339FromPostgres('2026-11-25 15:30:00.5+05:30'), '2026-11-25T10:00:00.500000Z');
  assert.equal(rfc3339FromPostgres('1900-01-01 00:00:00-00:19:32'), '1900-01-01T00:19:32.000000Z');
  assert.throws(() => rfc3339FromPostgres('Wed Nov 25 10:00:00 2026 UTC'), /not in the ISO DateStyle/);
});
