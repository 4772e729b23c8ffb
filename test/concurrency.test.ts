import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startReportQueue } from '../src/reports/report-queue.ts';
import pino from 'pino';
import { bearer, freshDatabase, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.close());

test('concurrent batches over the same payloads store every event once and each payload once', async () => {
  const token = bearer(await app.token(['statuses:write']));
  const ids = Array.from({ length: 50 }, (_, index) => `${String(index).padStart(32, '7')}`);
  // Eight requests at once, each touching every payload; half of them repeat another's events.
  const batches = Array.from({ length: 8 }, (_, batch) =>
    ids.flatMap((id, index) => [
      {
        request_id: id,
        service: `svc${batch % 4}`,
        status: 'received',
        date: `2026-11-25T10:00:${String(index).padStart(2, '0')}Z`,
        account: `a${batch}`,
      },
    ]),
  );
  const answers = await Promise.all(batches.map((body) => request(`${app.url}/v1/statuses`, { headers: token, body })));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    Array(8).fill(200),
  );
  const stored = answers.reduce((sum, answer) => sum + answer.body.stored, 0);
  assert.equal(stored, 4 * 50);
  const { rows } = await sql<{ payloads: number; statuses: number }>`
    select (select count(*)::int from payloads) as payloads, (select count(*)::int from payload_statuses) as statuses`.execute(
    app.database.db,
  );
  assert.deepEqual(rows[0], { payloads: 50, statuses: 200 });
});

test("concurrent batches that change the same payloads' last status count each payload under its last status once", async () => {
  const token = bearer(await app.token(['statuses:write']));
  const ids = Array.from({ length: 50 }, (_, index) => `${String(index).padStart(32, '8')}`);
  const statuses = ['received', 'processing', 'success', 'error'];
  // Eight requests at once over the same payloads; which one holds a payload's latest date differs from payload to payload.
  const batches = Array.from({ length: 8 }, (_, batch) =>
    ids.map((id, index) => ({
      request_id: id,
      service: 'svc',
      status: statuses[(batch + index) % 4],
      date: `2026-11-25T11:${String((batch * 7 + index) % 60).padStart(2, '0')}:00Z`,
    })),
  );
  const answers = await Promise.all(batches.map((body) => request(`${app.url}/v1/statuses`, { headers: token, body })));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    Array(8).fill(200),
  );
  const { rows } = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from (
      select distinct on (payload_id) payload_id, status from payload_statuses order by payload_id, date desc, id desc) last
    group by status`.execute(app.database.db);
  assert.equal(rows.length, 4);
  for (const { status, n } of rows) {
    const { body } = await request(`${app.url}/v1/payloads?last_status=${status}`);
    assert.equal(body.count, n, status);
  }
});

test('health answers 404 when the database does not', async () => {
  const database = await freshDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const queue = await startReportQueue(
    database,
    { db: database.db, reportsDir: config.reportsDir, fileTtlDays: 1, now: () => new Date() },
    { maxAttempts: 1, heartbeatSeconds: 10, work: false, log: pino({ level: 'silent' }) },
  );
  const broken = await buildApp({ db: database.db, config, enqueueReport: queue.enqueue });
  const url = await broken.listen({ port: 0, host: '127.0.0.1' });
  try {
    await queue.stop();
    await database.close();
    const { status, body } = await request(`${url}/v1/health`);
    assert.equal(status, 404);
    assert.equal(body.status, 404);
    assert.match(body.message, /database/);
  } finally {
    await broken.close();
  }
});

test('two orgs posting the same new request ID at once: the first writer owns it, the other is refused and stores nothing', async () => {
  const writers = {
    'org-a': bearer(await app.token(['statuses:write'], 'org-a', 'a', { allOrgs: false })),
    'org-b': bearer(await app.token(['statuses:write'], 'org-b', 'b', { allOrgs: false })),
  };
  const ids = Array.from({ length: 60 }, (_, index) => `${String(index).padStart(32, 'e')}`);
  const post = (org: keyof typeof writers, id: string) =>
    request(`${app.url}/v1/statuses`, {
      headers: writers[org],
      body: [{ request_id: id, service: `svc-${org}`, status: 'received', date: '2026-11-25T10:00:00Z', org_id: org }],
    });
  // Before the database enforced it, most such pairs were both stored, and the later writer moved the payload.
  const pairs = await Promise.all(ids.map((id) => Promise.all([post('org-a', id), post('org-b', id)])));
  const { rows } = await sql<{ request_id: string; org_id: string; services: string[] }>`
    select p.request_id, p.org_id, array_agg(s.service) as services
    from payloads p join payload_statuses s on s.payload_id = p.id
    where p.request_id = any(${ids}) group by p.request_id, p.org_id`.execute(app.database.db);
  const stored = new Map(rows.map((row) => [row.request_id, row]));
  for (const [index, [a, b]] of pairs.entries()) {
    assert.deepEqual([a.status, b.status].sort(), [200, 403], `pair ${index}`);
    const owner = a.status === 200 ? 'org-a' : 'org-b';
    assert.deepEqual(stored.get(ids[index]), { request_id: ids[index], org_id: owner, services: [`svc-${owner}`] });
  }
});
