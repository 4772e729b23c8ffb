import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { freePort } from '../bench/server-process.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { connectNats, natsServerMissing, publish, startNatsServer, testBus } from './bus-helpers.ts';
import { request } from './helpers.ts';
import { waitFor } from './wait.ts';

/**
 * `tracker serve` whose NATS or METRICS_PORT is out of reach: the process
 * serves and works on, says so once, and takes up what was missing when it comes.
 */
const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
const skip = natsServerMissing();
let dir: string;
let env: Record<string, string>;
let cleanUp: () => Promise<void>;
const started: ChildProcess[] = [];
const natsServers: { stop(): Promise<void> }[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bus-unreachable-'));
  env = {
    ...(process.env as Record<string, string>),
    DATA_DIR: path.join(dir, 'data'),
    REPORTS_DIR: path.join(dir, 'reports'),
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
  };
  delete env.DATABASE_URL;
  let drop = async () => {};
  if (process.env.TEST_DATABASE_URL) {
    const server = await createServerDatabase(process.env.TEST_DATABASE_URL);
    env.DATABASE_URL = server.url;
    drop = server.drop;
  }
  cleanUp = async () => {
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
});
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  for (const server of natsServers.splice(0)) await server.stop();
  await cleanUp();
});

/** `tracker serve ARGS`; its output so far, and its log lines as JSON. */
function serve(args: string[], extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: { ...env, ...extraEnv } });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const lines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
  return { child, output: () => output, lines };
}

/** A fresh data directory is made and migrated first: seconds alone, longer on a busy machine. */
const STARTUP_MS = 60_000;
const WARN = 40;
const ERROR = 50;

describe('tracker serve without what it depends on', { skip }, () => {
  test('NATS out of reach at the start: the API serves, the consumer says so once and consumes once NATS comes', async () => {
    const natsPort = await freePort();
    const bus = testBus({ NATS_URL: `nats://127.0.0.1:${natsPort}` });
    const tracker = serve([], { NATS_URL: bus.url, NATS_STREAM: bus.stream, NATS_SUBJECT: bus.subject, NATS_CONSUMER: bus.consumer });
    const url = await waitFor(() => /Tracker serves (http:\/\/[\d.:]+)/.exec(tracker.output())?.[1], {
      what: 'the API to serve',
      timeoutMs: STARTUP_MS,
    });

    const health = await request(`${url}/v1/health`);
    assert.equal(health.status, 202);
    assert.equal(health.body.bus.state, 'unreachable');
    // Three tries (0.5 + 1 + 2 s apart) and still one warning, one line without a stack.
    const tries = () => tracker.lines().filter((line) => line.msg.startsWith(`bus: cannot reach NATS at ${bus.url}`));
    await waitFor(() => tries().length >= 3, { what: 'three tries at NATS' });
    const warned = tries().filter((line) => line.level >= WARN);
    assert.equal(warned.length, 1, tracker.output());
    assert.match(warned[0].msg, /connection refused; trying again in the background, backing off to 30 s between tries$/);
    assert.doesNotMatch(tracker.output(), /\n\s+at /, 'no stack trace');

    natsServers.push(await startNatsServer(natsPort));
    await waitFor(() => /bus: consuming/.test(tracker.output()), { what: 'the consumer to start', timeoutMs: 30_000 });
    assert.match(tracker.output(), /bus: NATS answers again after \d+ s; consuming/);
    const connection = await connectNats(bus, 'tracker tests');
    try {
      const requestId = 'e1ec0de0000000000000000000000001';
      await publish(connection, bus, [{ request_id: requestId, service: 'ingress', status: 'received', date: new Date().toISOString() }]);
      await waitFor(async () => (await request(`${url}/v1/payloads/${requestId}`)).status === 200, { what: 'the event stored' });
    } finally {
      await connection.close();
    }
    assert.equal(tracker.child.exitCode, null, 'still running');
  });

  test('METRICS_PORT taken: the worker runs on without its metrics, says so once, and serves them once the port is free', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const worker = serve(['--roles', 'worker'], { METRICS_PORT: String(port) });
    try {
      await waitFor(() => /Tracker renders and mails reports/.test(worker.output()), {
        what: 'the worker to start',
        timeoutMs: STARTUP_MS,
      });
      const refused = await waitFor(() => worker.lines().find((line) => line.level >= ERROR), { what: 'the metrics error' });
      assert.match(refused.msg, new RegExp(`^cannot serve /metrics on 127.0.0.1:${port} \\(METRICS_PORT\\): .*EADDRINUSE`));
      assert.match(refused.msg, /the worker goes on without it/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const metrics = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`);
        return response.status === 200 && response.text();
      },
      { what: '/metrics on the freed port', timeoutMs: 30_000 },
    );
    assert.match(metrics, /^payload_tracker_requests /m);
    assert.equal(worker.lines().filter((line) => line.level >= ERROR).length, 1, worker.output());
    assert.equal(worker.child.exitCode, null, 'still running');
  });
});

test('a NATS_URL with user:password (or a token) connects with them', { skip: natsServerMissing() }, async () => {
  const port = await freePort();
  const nats = await startNatsServer(port, ['--user', 'tracker', '--pass', 'p@ss/word']);
  try {
    const bus = (url: string) => testBus({ NATS_URL: url });
    const connected = await connectNats(bus(`nats://tracker:${encodeURIComponent('p@ss/word')}@127.0.0.1:${port}`), 'tracker tests', 5000);
    await connected.close();
    await assert.rejects(connectNats(bus(`nats://tracker:wrong@127.0.0.1:${port}`), 'tracker tests', 5000), /auth/i);
  } finally {
    await nats.stop();
  }
  const withToken = await startNatsServer(port, ['--auth', 's3cret-token']);
  try {
    const connected = await connectNats(testBus({ NATS_URL: `nats://s3cret-token@127.0.0.1:${port}` }), 'tracker tests', 5000);
    await connected.close();
  } finally {
    await withToken.stop();
  }
});
