import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { preparedStatement } from '../src/db/prepared-statements.ts';
import { findClusterRequest } from '../src/gathering/gathering.queries.ts';
import { getPayloadStatuses } from '../src/payloads/payloads.queries.ts';
import { freshDatabase } from './helpers.ts';

const onPostgres = { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' };

test('the payload detail and the cluster status poll run as statements their connection prepared by name', onPostgres, async () => {
  const database = await freshDatabase();
  try {
    const prepared = await database.db.connection().execute(async (db) => {
      for (let run = 0; run < 2; run++) {
        assert.equal(await getPayloadStatuses(db, 'no-such-request', 'date', 'asc'), undefined);
        const scope = { orgId: 'org1', clusterId: '7e0c5d1b-0000-4000-8000-000000000001', freshSince: new Date(0) };
        assert.equal(await findClusterRequest(db, scope, 'no-such-request'), undefined);
      }
      const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db);
      return rows.map((row) => row.name);
    });
    assert.deepEqual(prepared, ['find_cluster_request', 'payload_detail']);
  } finally {
    await database.close();
  }
});

test('a connection whose prepared statement changed its result type is replaced, so the statement runs again', onPostgres, async () => {
  const database = await freshDatabase();
  const selectAll = preparedStatement('test_result_type', 'select * from result_type_changes');
  try {
    await sql`create table result_type_changes (a int)`.execute(database.db);
    await sql`insert into result_type_changes values (1)`.execute(database.db);
    assert.deepEqual((await database.db.executeQuery(selectAll([]))).rows, [{ a: 1 }]);
    // The pool lends the connection that prepared it again, as it is the one idle.
    await sql`alter table result_type_changes add column b int`.execute(database.db);
    await assert.rejects(database.db.executeQuery(selectAll([])), /cached plan must not change result type/);
    assert.deepEqual((await database.db.executeQuery(selectAll([]))).rows, [{ a: 1, b: null }]);
  } finally {
    await database.close();
  }
});

test('a statement name is given to one text only', () => {
  preparedStatement('test_one_text', 'select 1');
  assert.doesNotThrow(() => preparedStatement('test_one_text', 'select 1'));
  assert.throws(() => preparedStatement('test_one_text', 'select 2'), /test_one_text is taken by another statement/);
});
