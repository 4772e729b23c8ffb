import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { GroupCommit } from '../src/payloads/group-commit.ts';
import { ingestWindow, validateStatusEvents } from '../src/payloads/ingest.validate.ts';
import { storeStatusEventGroups } from '../src/payloads/ingest.write.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

const requestId = (index: number) => `9c0${String(index).padStart(29, '0')}`;
const event = (index: number, extra: Record<string, unknown> = {}) => ({
  request_id: requestId(index),
  service: 'ingress',
  status: 'received',
  date: new Date(TEST_NOW.getTime() - index * 1000).toISOString(),
  ...extra,
});

describe('group commit', () => {
  let app: TestApp;
  let groupCommit: GroupCommit;
  const batches: number[] = [];
  /** Stores one request's raw events as the ingest route does, through the group commit. */
  const store = (item: Record<string, unknown>) => groupCommit.store(validateStatusEvents([item], 10, ingestWindow(TEST_NOW, 30)));
  const storedIds = async (from: number, to: number) => {
    const { rows } = await sql<{ request_id: string }>`
      select request_id from payloads join payload_statuses on payload_id = payloads.id
      where request_id between ${requestId(from)} and ${requestId(to)} order by request_id`.execute(app.database.db);
    return rows.map((row) => row.request_id);
  };

  before(async () => {
    app = await startTestApp();
    const partitions = new PartitionKeeper(app.database.db);
    // One store at a time, so that every request made while it runs joins the next.
    groupCommit = new GroupCommit((groups) => storeStatusEventGroups(app.database.db, partitions, groups), {
      concurrency: 1,
      maxEvents: 1000,
      windowMs: 1,
      onBatch: (requests) => batches.push(requests),
    });
  });
  after(() => app.close());

  test('requests made while a store runs are stored by the next commit, each told only its own new statuses', async () => {
    batches.length = 0;
    // Sixty requests, ten of them the same event: that one is new for exactly one of them, the first.
    const stored = await Promise.all(Array.from({ length: 60 }, (_, index) => store(index < 10 ? event(0) : event(index))));
    assert.deepEqual([...batches], [1, 59]);
    assert.deepEqual(stored.slice(0, 10), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(stored.slice(10), Array(50).fill(1));
    assert.equal((await storedIds(0, 59)).length, 51);
    // Sent again, in one commit with new ones: only the new are counted, each for its own request.
    // After a commit of 59, the first of them waits a moment for more rather than going alone.
    batches.length = 0;
    const again = await Promise.all([event(60), event(10), event(61), event(11)].map(store));
    assert.deepEqual([...batches], [4]);
    assert.deepEqual(again, [1, 0, 1, 0]);
  });

  test('a commit stores at most 1,000 events; a bigger request goes alone', async () => {
    batches.length = 0;
    const many = (first: number, count: number) =>
      validateStatusEvents(
        Array.from({ length: count }, (_, index) => event(first + index)),
        5000,
        ingestWindow(TEST_NOW, 30),
      );
    const stored = await Promise.all(
      [many(1000, 10), many(2000, 600), many(3000, 300), many(4000, 1500), many(6000, 1)].map((events) => groupCommit.store(events)),
    );
    // 10 + 600 together (the first waited for company after the last test's commit of four), 300 alone
    // (1,500 more would pass 1,000), 1,500 alone, then 1.
    assert.deepEqual([...batches], [2, 1, 1, 1]);
    assert.deepEqual(stored, [10, 600, 300, 1500, 1]);
  });

  test('a request the database refuses fails alone; the others of its commit are stored', async () => {
    await sql`alter table payload_statuses add constraint refused_by_the_test check (status_msg is distinct from 'refused')`.execute(
      app.database.db,
    );
    try {
      batches.length = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) => store(event(100 + index, index === 7 ? { status_msg: 'refused' } : {}))),
      );
      assert.deepEqual(
        results.map((result) => result.status),
        results.map((_, index) => (index === 7 ? 'rejected' : 'fulfilled')),
      );
      assert.match(String((results[7] as PromiseRejectedResult).reason), /refused_by_the_test/);
      // The commit of nineteen failed as a whole; each was then stored on its own.
      assert.deepEqual([...batches], [1, 19]);
      const stored = await storedIds(100, 119);
      assert.equal(stored.length, 19);
      assert.ok(!stored.includes(requestId(107)));
    } finally {
      await sql`alter table payload_statuses drop constraint refused_by_the_test`.execute(app.database.db);
    }
  });

  test('over HTTP: the same event sent by many requests at once is new for one of them', async () => {
    const producer = bearer(await app.token(['statuses:write']));
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => request(`${app.url}/v1/statuses`, { headers: producer, body: event(500) })),
    );
    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
    assert.equal(answers.filter((answer) => answer.body.stored === 1).length, 1);
    assert.equal(answers.filter((answer) => answer.body.stored === 0).length, 11);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /^tracker_ingest_requests_per_commit_sum 12$/m);
  });
});
