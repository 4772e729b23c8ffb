import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { SCOPES } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, type Database, type DatabaseTimeouts } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { isKnownTimeZone } from '../src/shared/time-zone.ts';
import { startDatabaseRelay } from './db-relay.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { waitFor } from './wait.ts';

let app: TestApp;
let token: Record<string, string>;
const SCHEDULES = '/api/v1/reports/schedules';
const REQUEST_ID = 'eeee0000000000000000000000000001';

const attrs = {
  name: 'nightly',
  type: 'statuses',
  schedule: 'daily',
  timezone: 'UTC',
  send_to: ['ops@example.com'],
};

before(async () => {
  app = await startTestApp({ renderReports: false });
  token = bearer(await app.token([...SCOPES], 'org-e'));
  const events = [
    { request_id: REQUEST_ID, service: 'ingress', status: 'received', date: '2026-11-26T10:00:00Z' },
    { request_id: 'eeee0000000000000000000000000002', service: 'ingress', status: 'success', date: '2026-11-26T10:01:00Z' },
  ];
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: token, body: events })).status, 200);
});
after(() => app.close());

const get = (path: string, headers = token) => request(`${app.url}${path}`, { headers });

describe('bad input is a 400 naming the parameter', () => {
  test('NUL in a query parameter, the {type} path segment, a schedule field', async () => {
    const list = await get('/v1/statuses?service=a%00b');
    assert.equal(list.status, 400);
    assert.deepEqual(list.body.errors, [{ field: 'service', reason: 'must not contain a NUL character (\\u0000)' }]);
    const jobs = await get('/data/reports/a%00b/jobs');
    assert.equal(jobs.status, 400);
    assert.equal(jobs.body.code, 'BAD_REQUEST');
    const schedule = await request(`${app.url}${SCHEDULES}`, { headers: token, body: { attrs: { ...attrs, timezone: 'UTC\u0000' } } });
    assert.deepEqual([schedule.status, schedule.body.status], [400, 'error']);
    assert.match(schedule.body.message, /attrs\.timezone: must not contain a NUL/);
  });

  test('NUL in the org_id of x-rh-identity', async () => {
    const identity = Buffer.from(JSON.stringify({ identity: { org_id: 'a\u0000b' } })).toString('base64');
    const { status, body } = await get('/cluster/5d5892d3-1f74-4ccf-91af-548dfc9767aa/requests', { 'x-rh-identity': identity });
    assert.equal(status, 400);
    assert.match(body.status, /x-rh-identity: its org_id must not contain a NUL/);
  });

  test('offsets beyond ±15:59 in date filters and report spans', async () => {
    const filter = await get('/v1/statuses?date_gte=2026-11-25T10:00:00%2B20:00');
    assert.equal(filter.status, 400);
    assert.match(filter.body.message, /date_gte/);
    const job = await request(`${app.url}/data/reports/statuses/jobs`, {
      headers: token,
      body: { format: 'csv', timespan: { from: '2026-11-20T00:00:00+20:00', to: '2026-11-21T00:00:00-16:00' } },
    });
    assert.equal(job.status, 400);
    assert.deepEqual(
      job.body.fields.map((field: { name: string }) => field.name),
      ['timespan.from', 'timespan.to'],
    );
  });

  test('page and page_size of Infinity, 1e300 or past int64 on every list', async () => {
    for (const path of ['/v1/payloads', '/v1/statuses', '/data/reports/statuses/jobs']) {
      for (const value of ['Infinity', '-Infinity', '1e300', '9223372036854775808']) {
        for (const name of ['page', 'page_size']) {
          const { status } = await get(`${path}?${name}=${value}`);
          assert.equal(status, 400, `${path}?${name}=${value}`);
        }
      }
    }
    const schedules = await get(`${SCHEDULES}?paginate=true&page=1e300&page_size=10`);
    assert.equal(schedules.status, 400);
    assert.match(schedules.body.message, /^Error with pagination fields: page/);
  });

  test('task and configuration IDs are read exactly: int64 maximum is unknown, past it is invalid', async () => {
    const show = await request(`${app.url}/task/show`, { headers: token, raw: '{"params": {"task_id": 9223372036854775807}}' });
    assert.equal(show.status, 400);
    assert.equal(show.body.error.message, 'task 9223372036854775807 was not found');
    const past = await request(`${app.url}/task/show`, { headers: token, raw: '{"params": {"task_id": 12345678901234567890}}' });
    assert.equal(past.status, 400);
    assert.match(past.body.error.message, /task_id: must be at most 9223372036854775807, not 12345678901234567890/);
    const huge = await request(`${app.url}/task/list`, { headers: token, raw: '{"params": {"configuration_id": 1e308}}' });
    assert.equal(huge.status, 400);
    const list = await request(`${app.url}/task/list`, { headers: token, raw: '{"params": {"configuration_id": 9223372036854775807}}' });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.result.tasks, []);
  });

  test('an empty string among schedules_ids', async () => {
    const { status, body } = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: token,
      body: { schedules_ids: [''] },
    });
    assert.equal(status, 400);
    assert.match(body.message, /schedules_ids\.0: must be a schedule ID: a whole number, not ""/);
  });

  test('deleting 100,000 unknown schedules is refused without echoing them all', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => String(900_000 + index));
    const unknown = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: token,
      body: { schedules_ids: ids },
    });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /^schedules not found: 900000, .*, 900009 and 990 more$/);
    const many = Array.from({ length: 100_000 }, (_, index) => String(index + 1));
    const tooMany = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: token,
      body: { schedules_ids: many },
    });
    assert.equal(tooMany.status, 400);
    assert.ok(tooMany.body.message.length < 200, tooMany.body.message);
  });
});

describe('bodies and errors Fastify raises itself', () => {
  test('a body sent without a JSON content type is read as JSON when it is JSON', async () => {
    const form = await request(`${app.url}/task/list`, {
      headers: { ...token, 'content-type': 'application/x-www-form-urlencoded' },
      raw: '{"params": {"show_hidden": true}}',
    });
    assert.equal(form.status, 200);
    const none = await fetch(`${app.url}/cluster/5d5892d3-1f74-4ccf-91af-548dfc9767aa/requests`, {
      method: 'POST',
      headers: token,
      body: new Blob([JSON.stringify([REQUEST_ID])]),
    });
    assert.equal(none.status, 200, await none.clone().text());
  });

  test("a body that is not JSON: 415 saying what is accepted, in each API's envelope", async () => {
    const tasks = await request(`${app.url}/task/list`, { headers: { ...token, 'content-type': 'text/plain' }, raw: 'show_hidden=true' });
    assert.equal(tasks.status, 415);
    assert.equal(tasks.body.successful, false);
    assert.match(tasks.body.error.message, /must be JSON \(content-type: application\/json\)/);
    const schedules = await request(`${app.url}${SCHEDULES}`, {
      headers: { ...token, 'content-type': 'application/x-www-form-urlencoded' },
      raw: 'a=1',
    });
    assert.deepEqual([schedules.status, schedules.body.status], [415, 'error']);
  });

  test('bad JSON and a body too large come in the envelope of the API', async () => {
    const bad = await request(`${app.url}/data/reports/statuses/jobs`, {
      headers: { ...token, 'content-type': 'application/json' },
      raw: '{"format":',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_REQUEST');
    assert.match(bad.body.message, /not valid JSON/);
    const large = await request(`${app.url}${SCHEDULES}`, {
      headers: { ...token, 'content-type': 'application/json' },
      raw: JSON.stringify({ attrs: { name: 'x'.repeat(2_000_000) } }),
    });
    assert.deepEqual([large.status, large.body.status], [413, 'error']);
  });

  test("a malformed %-encoding is a 400 and a path parameter over 100 characters a 414, in each API's envelope", async () => {
    const long = 'a'.repeat(101);
    const answers = {
      payloads: await get('/v1/payloads/%zz'),
      frontend: await get('/app/payload-tracker/api/v1/payloads/%zz'),
      schedules: await get(`${SCHEDULES}/%zz`),
      jobs: await get('/data/reports/%zz/jobs'),
      gathering: await get('/api/insights-results-aggregator/v2/cluster/%zz/requests'),
      longPayload: await get(`/v1/payloads/${long}`),
      longSchedule: await get(`${SCHEDULES}/${long}`),
      longJobs: await get(`/data/reports/${long}/jobs`),
      longCluster: await get(`/cluster/${long}/requests`),
    };
    const encoding = 'the path holds a malformed %-encoding: % must be followed by two hexadecimal digits';
    const length = 'a path segment is longer than 100 characters';
    for (const name of ['payloads', 'frontend'] as const) {
      assert.deepEqual([answers[name].status, answers[name].body], [400, { title: 'Bad Request', message: encoding, status: 400 }]);
    }
    assert.deepEqual([answers.schedules.status, answers.schedules.body], [400, { message: encoding, status: 'error' }]);
    assert.deepEqual(
      [answers.jobs.status, answers.jobs.body],
      [400, { code: 'BAD_REQUEST', message: encoding, description: 'Bad Request', fields: [] }],
    );
    assert.deepEqual([answers.gathering.status, answers.gathering.body], [400, { status: encoding }]);
    assert.deepEqual(
      [answers.longPayload.status, answers.longPayload.body],
      [414, { title: 'URI Too Long', message: length, status: 414 }],
    );
    assert.deepEqual([answers.longSchedule.status, answers.longSchedule.body], [414, { message: length, status: 'error' }]);
    assert.deepEqual([answers.longJobs.status, answers.longJobs.body.code], [414, 'URI_TOO_LONG']);
    assert.deepEqual([answers.longCluster.status, answers.longCluster.body], [414, { status: length }]);
  });

  test("a request arriving while Tracker stops: 503 with Retry-After in its API's envelope, and the connection closed", async () => {
    const stopping = await startTestApp({ renderReports: false });
    const { port } = new URL(stopping.url);
    // A request answered, then the next begun on the same connection: not idle, so closing waits for it.
    const begin = (path: string) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      const connection = { socket, answer: '', closed: new Promise((resolve) => socket.on('close', resolve)) };
      socket.on('data', (chunk) => (connection.answer += chunk));
      socket.write(`GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET ${path} HTTP/1.1\r\nHost: x\r\n`);
      return connection;
    };
    const connections = [begin('/v1/payloads'), begin(SCHEDULES)];
    try {
      await waitFor(() => connections.every(({ answer }) => answer.includes('liveness checks passed')), { what: 'the first answers' });
      const closing = stopping.fastify.close();
      await waitFor(() => !stopping.fastify.server.listening, { what: 'the server to stop listening' });
      for (const { socket } of connections) socket.write('\r\n');
      await Promise.all(connections.map(({ closed }) => closed));
      await closing;
      const second = connections.map(({ answer }) => answer.slice(answer.indexOf('HTTP/1.1', 1)));
      for (const answer of second) {
        assert.match(answer, /^HTTP\/1\.1 503 /);
        assert.match(answer, /\r\nretry-after: 5\r\n/i);
        assert.match(answer, /\r\nconnection: close\r\n/i);
      }
      const bodies = second.map((answer) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)));
      assert.deepEqual(bodies, [
        { title: 'Service Unavailable', message: 'Tracker is stopping; try again in 5 s', status: 503 },
        { message: 'Tracker is stopping; try again in 5 s', status: 'error' },
      ]);
    } finally {
      for (const { socket } of connections) socket.destroy();
      await stopping.close();
    }
  });
});

describe('the documents, line by line', () => {
  test('an empty page, page_size, sort_by, sort_dir or verbosity counts as not given', async () => {
    const list = await get('/v1/payloads?page=&page_size=&sort_by=&sort_dir=');
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 2);
    const detail = await get(`/v1/payloads/${REQUEST_ID}?sort_by=&sort_dir=&verbosity=`);
    assert.equal(detail.status, 200);
  });

  test('GET /v1/stats without stat is SuccessRate', async () => {
    const { status, body } = await get('/v1/stats');
    assert.equal(status, 200);
    assert.deepEqual(body.data.ingress, { success: 1, error: 0, success_percent: 100, error_percent: 0 });
  });

  test('an unknown report type is a 400 on every report path', async () => {
    for (const path of ['/data/reports/bogus/jobs', '/data/reports/bogus/jobs/1', '/data/reports/bogus/files/1']) {
      const { status, body } = await get(path);
      assert.equal(status, 400, path);
      assert.deepEqual(body.fields, [{ name: 'type', description: 'must be one of statuses, payloads, success-rate, generic' }]);
    }
  });

  test('a malformed schedule ID is a 400; schedules list in numeric order; id_list may repeat', async () => {
    for (const path of [`${SCHEDULES}/abc`, `${SCHEDULES}/1e3`]) {
      const { status, body } = await get(path);
      assert.deepEqual([status, body.status], [400, 'error'], path);
      assert.match(body.message, /schedule_id: must be a whole number/);
    }
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await request(`${app.url}${SCHEDULES}`, { headers: token, body: { attrs: { ...attrs, name: `s${i}` } } });
      ids.push(created.body.data.schedule.id);
    }
    const listed = (await get(`${SCHEDULES}?paginate=false`)).body.data.registries.map((schedule: { id: string }) => schedule.id);
    assert.deepEqual(
      listed,
      [...listed].sort((a, b) => Number(a) - Number(b)),
    );
    const repeated = await get(`${SCHEDULES}?paginate=false&id_list=${ids[0]}&id_list=${ids[2]}`);
    assert.deepEqual(
      repeated.body.data.registries.map((schedule: { id: string }) => schedule.id),
      [ids[0], ids[2]],
    );
  });
});

/**
 * Runs `use` on a new server database reached through a relay that can cut it
 * (`directUrl` reaches it around the relay); closes and drops it all after.
 */
async function throughRelay(
  use: (parts: { database: Database; relay: Awaited<ReturnType<typeof startDatabaseRelay>>; directUrl: string }) => Promise<void>,
  timeouts?: DatabaseTimeouts,
) {
  const server = await createServerDatabase(process.env.TEST_DATABASE_URL!);
  const relay = await startDatabaseRelay(server.url);
  const database = createDb({ databaseUrl: relay.url, timeouts });
  try {
    await use({ database, relay, directUrl: server.url });
  } finally {
    relay.close();
    await database.close();
    await server.drop();
  }
}

describe('the database out of reach', () => {
  test('at start-up: one line naming the host and what to check, no stack', async () => {
    const main = path.join(import.meta.dirname, '..', 'src', 'main.ts');
    const env = { ...process.env, DATABASE_URL: 'postgres://tracker:secret@127.0.0.1:1/tracker', LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, [main, 'serve'], { env });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    const lines = stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('tracker:'));
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0],
      /^tracker: cannot use the database at 127\.0\.0\.1:1\/tracker: connect ECONNREFUSED .*Check that PostgreSQL runs there/,
    );
    assert.ok(!stderr.includes('secret') && !stderr.includes('    at '), stderr);
  });

  test(
    'while serving: 503 with Retry-After, also to a request whose connection is lost under it, then answers again once it is back',
    { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' },
    () =>
      throughRelay(async ({ database, relay, directUrl }) => {
        const tracker = await buildApp({ db: database.db, config: loadConfig({ LOG_LEVEL: 'silent' }), enqueueReport: async () => {} });
        try {
          await migrate(database);
          const url = await tracker.listen({ port: 0, host: '127.0.0.1' });
          assert.equal((await request(`${url}/v1/payloads`)).status, 200);
          relay.cut();
          const down = await request(`${url}/v1/payloads`);
          assert.equal(down.status, 503);
          assert.equal(down.headers.get('retry-after'), '5');
          assert.match(down.body.message, /database cannot be reached/);
          await relay.restore();
          assert.equal((await request(`${url}/v1/payloads`)).status, 200);
          // A lock held from outside keeps the next request's query waiting on its connection while the relay cuts it.
          const locker = new pg.Client(directUrl);
          await locker.connect();
          try {
            await locker.query('begin; lock table payloads in access exclusive mode');
            const cutUnder = request(`${url}/v1/payloads`);
            await waitFor(async () => {
              const { rows } = await locker.query(
                `select count(*)::int as n from pg_locks where relation = 'payloads'::regclass and not granted`,
              );
              return rows[0].n > 0;
            });
            relay.cut();
            assert.equal((await cutUnder).status, 503);
          } finally {
            await locker.end();
          }
          await relay.restore();
          assert.equal((await request(`${url}/v1/payloads`)).status, 200);
        } finally {
          await tracker.close();
        }
      }),
  );

  test(
    'silent (a black-holed network): 503 with Retry-After once a statement times out, health says so, and all recovers alone',
    { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' },
    () =>
      throughRelay(
        async ({ database, relay }) => {
          const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
          const tracker = await buildApp({ db: database.db, ping: database.ping, config, enqueueReport: async () => {} });
          try {
            await migrate(database);
            const url = await tracker.listen({ port: 0, host: '127.0.0.1' });
            assert.equal((await request(`${url}/v1/payloads`)).status, 200);
            assert.equal((await request(`${url}/v1/health`)).status, 202);
            relay.blackHole();
            // Without the timeouts these would wait for as long as the network is silent.
            const answers = await Promise.all(Array.from({ length: 12 }, () => request(`${url}/v1/payloads`)));
            for (const answer of answers) {
              assert.equal(answer.status, 503);
              assert.equal(answer.headers.get('retry-after'), '5');
            }
            await waitFor(async () => (await request(`${url}/v1/health`)).status === 404);
            assert.match((await request(`${url}/v1/health`)).body.message, /liveness checks failed: the database/);
            await relay.restore();
            await waitFor(async () => (await request(`${url}/v1/payloads`)).status === 200);
            await waitFor(async () => (await request(`${url}/v1/health`)).status === 202);
          } finally {
            await tracker.close();
          }
        },
        { connectMs: 500, statementMs: 1000 },
      ),
  );

  test(
    'every pooled connection busy past the connect timeout: requests get 503, health still answers 202 (its own connection)',
    { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' },
    () =>
      throughRelay(
        async ({ database, directUrl }) => {
          const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_STATEMENT_TIMEOUT_MS: '10000' });
          const tracker = await buildApp({ db: database.db, ping: database.ping, config, enqueueReport: async () => {} });
          const locker = new pg.Client(directUrl);
          try {
            await migrate(database);
            const url = await tracker.listen({ port: 0, host: '127.0.0.1' });
            await locker.connect();
            await locker.query('begin; lock table payloads in access exclusive mode');
            // Ten requests hold the pool's ten connections, waiting on the lock; the rest wait for a connection.
            const held = Array.from({ length: 14 }, () => request(`${url}/v1/payloads`));
            await waitFor(async () => {
              const { rows } = await locker.query(
                `select count(*)::int as n from pg_locks where relation = 'payloads'::regclass and not granted`,
              );
              return rows[0].n >= 10;
            });
            const refused = await request(`${url}/v1/payloads`);
            assert.equal(refused.status, 503);
            // Through the pool a check would fail as the request did, after the connect timeout, and health turn 404.
            const since = Date.now();
            const health: number[] = [];
            await waitFor(async () => {
              health.push((await request(`${url}/v1/health`)).status);
              return Date.now() - since > 3 * 500;
            });
            assert.deepEqual(new Set(health), new Set([202]));
            await locker.query('rollback');
            for (const answer of await Promise.all(held)) assert.ok([200, 503].includes(answer.status), String(answer.status));
          } finally {
            await locker.end();
            await tracker.close();
          }
        },
        { connectMs: 500, statementMs: 10_000 },
      ),
  );

  test(
    'a time zone checked while it is out of reach fails that check only: the next one reads the names again',
    { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' },
    () =>
      throughRelay(async ({ database, relay }) => {
        relay.cut();
        await assert.rejects(isKnownTimeZone(database.db, 'Europe/Rome'), /ECONNREFUSED/);
        await relay.restore();
        assert.equal(await isKnownTimeZone(database.db, 'Europe/Rome'), true);
        assert.equal(await isKnownTimeZone(database.db, 'Europe/Atlantis'), false);
      }),
  );
});

test('a client sending its headers byte by byte is answered 408 and cut off after HEADERS_TIMEOUT_SECONDS', async () => {
  const slow = await startTestApp({ env: { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' } });
  try {
    const { port } = new URL(slow.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const headers = 'GET /v1/payloads HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
    let sent = 0;
    const drip = setInterval(() => (socket.writable && sent < headers.length ? socket.write(headers[sent++]) : undefined), 100);
    await closed;
    clearInterval(drip);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 4, `held for ${seconds} s`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"message":"the request did not arrive in time"/);
  } finally {
    await slow.close();
  }
});
