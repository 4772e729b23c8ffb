import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { applyRetention, ensureUpcomingPartitions } from '../src/upkeep/retention.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const OLD_ONLY = '0000000000000000000000000000000a';
const OLD_AND_NEW = '0000000000000000000000000000000b';
const NEW_ONLY = '0000000000000000000000000000000c';

let app: TestApp;

const ingest = async (body: unknown) => request(`${app.url}/v1/statuses`, { headers: bearer(await app.token(['statuses:write'])), body });

/** Each test's own app: two payloads stored on 2026-10-10, then one more and a status on later days, the clock at NOW. */
beforeEach(async () => {
  let clock = new Date('2026-10-10T12:00:00Z');
  app = await startTestApp({ now: () => clock });
  // Ingest takes events of its retention window only, so the old ones arrive while they are recent.
  const old = [
    { request_id: OLD_ONLY, service: 'ingress', status: 'received', date: '2026-10-10T08:00:00Z' },
    { request_id: OLD_AND_NEW, service: 'ingress', status: 'received', date: '2026-10-10T09:00:00Z' },
  ];
  assert.equal((await ingest(old)).status, 200);
  clock = NOW;
  const recent = [
    { request_id: OLD_AND_NEW, service: 'puptoo', status: 'success', date: '2026-11-24T09:00:00Z' },
    { request_id: NEW_ONLY, service: 'ingress', status: 'received', date: '2026-10-26T00:00:00Z' },
  ];
  assert.equal((await ingest(recent)).status, 200);
});
afterEach(() => app.close());

const retain30Days = () => applyRetention(app.database.db, new PartitionKeeper(app.database.db), 30, NOW);

async function partitions(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'payload_statuses'::regclass order by 1`.execute(app.database.db);
  return rows.map((row) => row.name);
}

test('upcoming partitions: yesterday to three days ahead', async () => {
  await ensureUpcomingPartitions(new PartitionKeeper(app.database.db), NOW);
  const names = await partitions();
  for (const day of ['20261124', '20261125', '20261126', '20261127', '20261128']) {
    assert.ok(names.includes(`payload_statuses_p${day}`), day);
  }
});

test('retention drops the partitions of days wholly past it and the payloads left without statuses', async () => {
  const result = await retain30Days();
  // 30 days before 2026-11-25 is 2026-10-26: that day's partition stays.
  assert.deepEqual(result.droppedPartitions, ['payload_statuses_p20261010']);
  assert.equal(result.deletedPayloads, 1);
  assert.ok((await partitions()).includes('payload_statuses_p20261026'));

  assert.equal((await request(`${app.url}/v1/payloads/${OLD_ONLY}`)).status, 404);
  const kept = await request(`${app.url}/v1/payloads/${OLD_AND_NEW}`);
  assert.equal(kept.status, 200);
  assert.deepEqual(
    kept.body.data.map((row: { service: string }) => row.service),
    ['puptoo'],
  );
  assert.equal((await request(`${app.url}/v1/payloads/${NEW_ONLY}`)).status, 200);

  // The status list and its count agree: nothing was left behind without its payload.
  const statuses = await request(`${app.url}/v1/statuses`);
  assert.equal(statuses.body.count, 2);
  assert.equal(statuses.body.data.length, 2);
});

test('retention run again changes nothing', async () => {
  await retain30Days();
  assert.deepEqual(await retain30Days(), { droppedPartitions: [], deletedPayloads: 0 });
});

test('an old event arriving after its partition was dropped is refused, and no partition is made for it', async () => {
  await retain30Days();
  const { status, body } = await ingest({ request_id: OLD_ONLY, service: 'ingress', status: 'received', date: '2026-10-10T08:00:00Z' });
  assert.equal(status, 400);
  assert.equal(body.errors[0].field, 'date');
  assert.ok(!(await partitions()).includes('payload_statuses_p20261010'));
});
