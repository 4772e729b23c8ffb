import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { loadMigrations, migrate } from '../src/db/migrate.ts';
import { freshDatabase } from './helpers.ts';

test('a database migrated by a newer Tracker is refused, naming both versions, and left as it was', async () => {
  const database = await freshDatabase();
  try {
    const newest = Math.max(...loadMigrations().map((migration) => migration.version));
    await sql`insert into schema_migrations (version, name) values (${newest + 1}, 'from_the_future')`.execute(database.db);
    await assert.rejects(
      migrate(database),
      new RegExp(`schema is at migration ${newest + 1} but this Tracker knows migrations up to ${newest} \\(unknown: ${newest + 1}\\)`),
    );
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from schema_migrations`.execute(database.db);
    assert.equal(rows[0].count, newest + 1);
  } finally {
    await database.close();
  }
});

test('a database behind the code is brought up to date, and migrating again does nothing', async () => {
  const migrations = loadMigrations();
  const database = await freshDatabase(migrations.slice(0, 3));
  try {
    assert.deepEqual(
      await migrate(database, migrations),
      migrations.slice(3).map((migration) => `${String(migration.version).padStart(4, '0')}_${migration.name}`),
    );
    assert.deepEqual(await migrate(database, migrations), []);
  } finally {
    await database.close();
  }
});
