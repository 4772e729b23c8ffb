import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createToken } from '../../src/auth/tokens.ts';
import { createDb } from '../../src/db/create-db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createServerDatabase } from '../../src/db/server-databases.ts';
import { freePort } from '../../bench/server-process.ts';
import { natsServerMissing, startNatsServer } from '../bus-helpers.ts';
import { startDatabaseRelay } from '../db-relay.ts';
import { EVERY_FIELD_WRONG } from '../helpers.ts';
import { waitFor } from '../wait.ts';
import { HEALTH_LIMIT_MS, pollHealth, type HealthPolls } from './health-poller.ts';
import { startTracker, type TrackerProcess } from './tracker-process.ts';

/*
 * The chaos suite: a real `tracker serve` process, on PGlite or (with
 * TEST_DATABASE_URL) on PostgreSQL through a relay the test controls, while
 * /v1/health is asked every 50 ms from a thread of its own. Under each
 * adversity every answer must come within 250 ms. It runs alone
 * (`npm run test:chaos`), not beside other test files, whose load would be
 * counted as Tracker's.
 */

const serverUrl = process.env.TEST_DATABASE_URL;
const PAYLOADS = 20_000;
const ORG = 'chaos';

let tracker: TrackerProcess;
let relay: Awaited<ReturnType<typeof startDatabaseRelay>> | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
const tokens = { producer: '', reports: '' };
const table: string[] = [];

/**
 * A database for a tracker to serve from, migrated, with the tokens the suite
 * uses (the same each time); its environment for `tracker serve`, and on
 * PostgreSQL the relay it is reached through.
 */
async function prepareDatabase(): Promise<{ env: Record<string, string>; relay?: typeof relay }> {
  let env: Record<string, string>;
  let database;
  let relayed: typeof relay;
  if (serverUrl) {
    const server = await createServerDatabase(serverUrl);
    cleanups.push(server.drop);
    database = createDb({ databaseUrl: server.url });
    const through = (relayed = await startDatabaseRelay(server.url));
    cleanups.push(() => through.close());
    // Short timeouts, so that a silent database turns requests into 503s well within 5 s.
    env = { DATABASE_URL: through.url, DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '2000' };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-chaos-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    database = createDb({ dataDir });
    env = { DATA_DIR: dataDir };
  }
  try {
    await migrate(database);
    tokens.producer = await createToken(database.db, { orgId: ORG, userName: 'producer', scopes: ['statuses:write'], allOrgs: true });
    tokens.reports = await createToken(database.db, {
      orgId: ORG,
      userName: 'reader',
      scopes: ['data-reports:read', 'data-reports:write'],
    });
  } finally {
    await database.close();
  }
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-chaos-reports-'));
  cleanups.push(() => fs.rmSync(reportsDir, { recursive: true, force: true }));
  return { env: { ...env, REPORTS_DIR: reportsDir }, relay: relayed };
}

const post = (url: string, token: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * Runs `adversity` while health is polled; records a row of the suite's table
 * and fails if any poll took over 250 ms. `outcome` says what the adversity got.
 */
async function underAdversity(name: string, adversity: () => Promise<string>, target = tracker) {
  await target.eventLoopMaxMs(); // starts the process's delay histogram afresh
  const polling = pollHealth(target.url);
  let outcome: string;
  let polls: HealthPolls;
  try {
    outcome = await adversity();
  } finally {
    polls = await polling.stop();
  }
  const loopMax = await target.eventLoopMaxMs();
  assert.ok(Number.isFinite(loopMax), 'the process shows its event-loop delay on /metrics (nodejs_eventloop_lag_max_seconds)');
  const answers = Object.entries(polls.statuses)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ');
  table.push(
    `| ${name} | ${polls.polls} (${answers}) | ${polls.p50Ms.toFixed(1)} | ${polls.maxMs.toFixed(1)} | ${loopMax.toFixed(0)} | ${outcome} |`,
  );
  assert.deepEqual(polls.slow, [], `health answered slower than ${HEALTH_LIMIT_MS} ms, or not at all, under "${name}"`);
}

/** Stores PAYLOADS payloads of ORG, four statuses each, dated within the last hour, in requests of 1,000 events. */
async function storePayloads() {
  const services = ['ingress', 'puptoo', 'inventory', 'advisor'];
  const start = Date.now() - 3_600_000;
  for (let first = 0; first < PAYLOADS; first += 250) {
    const events: Record<string, string>[] = [];
    for (let index = first; index < first + 250; index++) {
      const requestId = `c${index.toString(16).padStart(31, '0')}`;
      services.forEach((service, step) => {
        const date = new Date(start + index * 100 + step * 10).toISOString();
        events.push({ request_id: requestId, service, status: step === 3 ? 'success' : 'processing', date, org_id: ORG, account: '1' });
      });
    }
    const answer = await post(`${tracker.url}/v1/statuses`, tokens.producer, events);
    assert.equal(answer.status, 200, await answer.text());
  }
}

describe(`health under adversity (${serverUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  before(async () => {
    const prepared = await prepareDatabase();
    relay = prepared.relay;
    tracker = await startTracker(prepared.env);
    cleanups.push(() => tracker.stop());
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    console.log(
      [
        `health polls under adversity, ${serverUrl ? 'PostgreSQL' : 'PGlite'} (limit ${HEALTH_LIMIT_MS} ms):`,
        '| adversity | polls (answers) | p50 ms | max ms | event loop max ms | outcome |',
        '| --- | --- | --- | --- | --- | --- |',
        ...table,
      ].join('\n'),
    );
  });

  test('a producer sends 40,000 invalid items, then 20,000 items with ten wrong-type fields', () =>
    underAdversity('40,000 × {} then 20,000 × 10 bad fields', async () => {
      const tooMany = await post(
        `${tracker.url}/v1/statuses`,
        tokens.producer,
        Array.from({ length: 40_000 }, () => ({})),
      );
      assert.equal(tooMany.status, 413);
      const bad = await post(
        `${tracker.url}/v1/statuses`,
        tokens.producer,
        Array.from({ length: 20_000 }, () => EVERY_FIELD_WRONG),
      );
      assert.equal(bad.status, 400);
      const body = (await bad.json()) as { errors: unknown[]; message: string };
      assert.equal(body.errors.length, 100);
      return `${tooMany.status}, then ${bad.status} listing 100 errors`;
    }));

  test('a producer sends 20,000 valid events in one request', () =>
    underAdversity('20,000 valid events in one request', async () => {
      const start = Date.now() - 1_800_000;
      const events = Array.from({ length: 20_000 }, (_, index) => ({
        request_id: `b${Math.floor(index / 4)
          .toString(16)
          .padStart(31, '0')}`,
        service: `s${index % 4}`,
        status: 'processing',
        date: new Date(start + index).toISOString(),
        org_id: 'bulk',
      }));
      const started = performance.now();
      const answer = await post(`${tracker.url}/v1/statuses`, tokens.producer, events);
      assert.equal(answer.status, 200);
      const { stored } = (await answer.json()) as { stored: number };
      assert.equal(stored, 20_000);
      return `200, ${stored} stored in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    }));

  test(`a ${PAYLOADS.toLocaleString('en')}-payload report renders`, async () => {
    await storePayloads();
    const day = 86_400_000;
    const timespan = {
      from: new Date(Date.now() - day).toISOString().slice(0, 10),
      to: new Date(Date.now() + day).toISOString().slice(0, 10),
    };
    await underAdversity(`a ${PAYLOADS.toLocaleString('en')}-payload payloads report`, async () => {
      const started = Date.now();
      const created = await post(`${tracker.url}/data/reports/payloads/jobs`, tokens.reports, { format: 'csv', timezone: 'UTC', timespan });
      const { job } = (await created.json()) as { job: { id: string } };
      assert.equal(created.status, 202);
      const done = await waitFor(
        async () => {
          const answer = await fetch(`${tracker.url}/data/reports/payloads/jobs/${job.id}`, {
            headers: { authorization: `Bearer ${tokens.reports}` },
          });
          const { job: now } = (await answer.json()) as { job: { status: string; file?: { rows: number } } };
          return !['CREATED', 'PROCESSING'].includes(now.status) && now;
        },
        { what: 'the report to render', timeoutMs: 300_000, intervalMs: 250 },
      );
      assert.equal(done.status, 'DONE');
      assert.equal(done.file?.rows, PAYLOADS);
      return `${done.file?.rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    });
  });

  test('20,000 connections are opened and held', () =>
    underAdversity('20,000 idle connections from 20 addresses', async () => {
      const { port } = new URL(tracker.url);
      const adversary = spawn(process.execPath, [path.join(import.meta.dirname, 'hold-connections.ts'), port, '20000', '20']);
      const lines: string[] = [];
      adversary.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
      try {
        await waitFor(() => lines.length > 0, { what: 'the connections to be opened', timeoutMs: 120_000 });
        const { opened, failed } = JSON.parse(lines[0]) as { opened: number; failed: number };
        // Held a while: the cap's headroom turns over, and health must be answered all along.
        const heldSince = Date.now();
        await waitFor(() => Date.now() - heldSince > 3000, { what: 'three seconds at the cap' });
        const refused = await fetch(`${tracker.url}/v1/payloads`);
        adversary.stdin.write('\n');
        await waitFor(() => lines.length > 1, { what: 'the count of connections still held' });
        const { held } = JSON.parse(lines[1]) as { held: number };
        return `${opened} opened (${failed} failed), ${held} still held after 3 s; a request then: ${refused.status}`;
      } finally {
        adversary.stdin.end();
        await new Promise((resolve) => adversary.once('exit', resolve));
      }
    }));

  test(
    'the database goes silent (black-holed), then answers again',
    { skip: !serverUrl && 'PostgreSQL only: needs TEST_DATABASE_URL' },
    () =>
      underAdversity('the database black-holed, then restored', async () => {
        relay!.blackHole();
        const started = performance.now();
        const answers = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const answer = await fetch(`${tracker.url}/v1/payloads`);
            return { status: answer.status, retryAfter: answer.headers.get('retry-after'), ms: performance.now() - started };
          }),
        );
        for (const answer of answers) {
          assert.equal(answer.status, 503);
          assert.ok(answer.retryAfter);
          assert.ok(answer.ms < 5000, `a request waited ${answer.ms} ms for its 503`);
        }
        await waitFor(async () => (await fetch(`${tracker.url}/v1/health`)).status === 404, { what: 'health to say the database is gone' });
        await relay!.restore();
        await waitFor(async () => (await fetch(`${tracker.url}/v1/payloads`)).status === 200, { what: 'requests to succeed again' });
        await waitFor(async () => (await fetch(`${tracker.url}/v1/health`)).status === 202, { what: 'health to pass again' });
        const slowest = Math.max(...answers.map((answer) => answer.ms));
        return `10 requests: 503 + Retry-After within ${(slowest / 1000).toFixed(1)} s; health 404, then 202 after restore`;
      }),
  );

  test('NATS is down when a tracker starts, then comes up', { skip: natsServerMissing() }, async () => {
    const port = await freePort();
    const env = {
      ...(await prepareDatabase()).env,
      NATS_URL: `nats://127.0.0.1:${port}`,
      NATS_STREAM: 'CHAOS',
      NATS_SUBJECT: 'chaos.statuses',
    };
    let nats: Awaited<ReturnType<typeof startNatsServer>> | undefined;
    const busTracker = await startTracker(env);
    try {
      await underAdversity(
        'NATS down at start, then up',
        async () => {
          const busState = async () =>
            ((await (await fetch(`${busTracker.url}/v1/health`)).json()) as { bus?: { state: string } }).bus?.state;
          await waitFor(async () => (await busState()) === 'unreachable', { what: 'health to say NATS is unreachable' });
          const served = (await fetch(`${busTracker.url}/v1/payloads`)).status;
          assert.equal(served, 200, 'the API serves while NATS is down');
          nats = await startNatsServer(port);
          const state = await waitFor(
            async () => {
              const now = await busState();
              return now !== 'unreachable' && now;
            },
            { what: 'the bus to be reached', timeoutMs: 60_000 },
          );
          return `API served (${served}) while NATS was down; bus ${state} once it was up`;
        },
        busTracker,
      );
    } finally {
      await busTracker.stop();
      await nats?.stop();
    }
  });
});
