import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig, openFileLimit } from '../src/config.ts';
import { headroom } from '../src/connection-limits.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { waitFor } from './wait.ts';

/** Connections the server holds now. */
const serverConnections = (app: TestApp) =>
  new Promise<number>((resolve) => app.fastify.server.getConnections((_error, count) => resolve(count)));

/**
 * Opens `count` connections from `addresses` in turn that send nothing and
 * never end their side; `ended` counts those the server has ended or cut.
 */
function holdConnections(app: TestApp, count: number, addresses = ['127.0.0.1']) {
  const { port } = new URL(app.url);
  const held = { sockets: [] as net.Socket[], ended: 0 };
  for (let index = 0; index < count; index++) {
    const localAddress = addresses[index % addresses.length];
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress, allowHalfOpen: true });
    let ended = false;
    const end = () => {
      if (!ended) held.ended++;
      ended = true;
    };
    // Read what comes, or 'end' would wait for it to be read.
    socket.on('end', end).on('close', end).on('error', end).resume();
    held.sockets.push(socket);
  }
  return held;
}

/**
 * GET on a connection of its own from `localAddress`, asking to keep it open;
 * `closed` says whether the server closed it after answering all the same.
 */
async function getFrom(url: string, localAddress = '127.0.0.1') {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(url, { localAddress, agent: false, headers: { connection: 'keep-alive' } }, resolve).on('error', reject),
  );
  const { socket } = response;
  let closed = false;
  socket.on('close', () => (closed = true));
  let text = '';
  for await (const chunk of response) text += chunk;
  if (response.headers.connection === 'close') await waitFor(() => closed, { what: `the server to close the connection of ${url}` });
  socket.destroy();
  return { status: response.statusCode, body: JSON.parse(text), retryAfter: response.headers['retry-after'], closed };
}

describe('connections over the limits', () => {
  let app: TestApp;
  const TOTAL = 100;
  const PER_CLIENT = 20;

  before(async () => {
    app = await startTestApp({
      env: {
        MAX_CONNECTIONS: String(TOTAL),
        MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT),
        HEADERS_TIMEOUT_SECONDS: '60',
        REQUEST_TIMEOUT_SECONDS: '60',
      },
      renderReports: false,
    });
  });
  after(() => app.close());

  test('one client at its limit is refused with a 503; health still answers it, and other clients are served', async () => {
    const held = holdConnections(app, PER_CLIENT, ['127.0.0.2']);
    try {
      await waitFor(async () => (await serverConnections(app)) === PER_CLIENT, { what: 'the held connections' });
      const refused = await getFrom(`${app.url}/v1/payloads`, '127.0.0.2');
      assert.deepEqual(refused.body, {
        title: 'Service Unavailable',
        message: 'Tracker holds as many connections as it may; try again in 1 s',
        status: 503,
      });
      assert.deepEqual([refused.status, refused.retryAfter, refused.closed], [503, '1', true]);
      assert.equal((await getFrom(`${app.url}/v1/health`, '127.0.0.2')).status, 202);
      assert.equal((await getFrom(`${app.url}/v1/payloads`, '127.0.0.1')).status, 200);
      assert.equal(held.ended, 0);
    } finally {
      for (const socket of held.sockets) socket.destroy();
    }
  });

  test("at the total: 503 in each API's envelope, health answers, past the headroom connections are cut; then served again", async () => {
    await waitFor(async () => (await serverConnections(app)) === 0, { what: 'no connections' });
    // From five addresses, none past its own limit.
    const held = holdConnections(
      app,
      TOTAL,
      Array.from({ length: TOTAL / PER_CLIENT }, (_, index) => `127.0.0.${10 + index}`),
    );
    const extra = headroom(TOTAL) + 5;
    let over: ReturnType<typeof holdConnections> = { sockets: [], ended: 0 };
    try {
      await waitFor(async () => (await serverConnections(app)) === TOTAL, { what: 'the held connections' });
      const payloads = await getFrom(`${app.url}/v1/payloads`);
      assert.deepEqual([payloads.status, payloads.body.status, payloads.retryAfter, payloads.closed], [503, 503, '1', true]);
      const schedules = await getFrom(`${app.url}/api/v1/reports/schedules`);
      assert.deepEqual([schedules.status, schedules.body.status, schedules.retryAfter], [503, 'error', '1']);
      assert.match(schedules.body.message, /as many connections as it may/);
      const jobs = await getFrom(`${app.url}/data/reports/statuses/jobs`);
      assert.deepEqual([jobs.status, jobs.body.code], [503, 'SERVICE_UNAVAILABLE']);
      for (const path of ['/v1/health', '/health', '/app/payload-tracker/api/v1/health']) {
        const health = await getFrom(`${app.url}${path}`);
        assert.deepEqual([health.status, health.closed], [202, true], path);
      }

      // The headroom's connections send nothing and are let go after a moment; those past it at once.
      over = holdConnections(app, extra);
      await waitFor(() => over.ended === extra, { what: 'the connections over the limit to be closed' });
      assert.equal(held.ended, 0);
      assert.equal(await serverConnections(app), TOTAL);
      assert.equal((await getFrom(`${app.url}/v1/health`)).status, 202);
    } finally {
      for (const socket of [...held.sockets, ...over.sockets]) socket.destroy();
    }
    await waitFor(async () => (await serverConnections(app)) === 0, { what: 'the held connections to close' });
    assert.equal((await getFrom(`${app.url}/v1/payloads`)).status, 200);
  });
});

test('after its 408 the connection is closed, even when the client never ends its side', async () => {
  const slow = await startTestApp({ env: { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '1' }, renderReports: false });
  const held = holdConnections(slow, 20);
  try {
    for (const socket of held.sockets) socket.write('GET /v1/payloads HTTP/1.1\r\nHost: x\r\n');
    let answers = '';
    held.sockets[0].on('data', (chunk) => (answers += chunk));
    await waitFor(() => held.ended === 20, { what: 'the 408s' });
    assert.match(answers, /^HTTP\/1\.1 408 /);
    // Before, each such socket stayed open for good; 20,400 of them used up the file descriptors.
    await waitFor(async () => (await serverConnections(slow)) === 0, { what: 'the server to close the connections', timeoutMs: 5000 });
  } finally {
    for (const socket of held.sockets) socket.destroy();
    await slow.close();
  }
});

test('a connection that sends nothing is closed unanswered at the headers timeout', async () => {
  const slow = await startTestApp({ env: { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '1' }, renderReports: false });
  const held = holdConnections(slow, 20);
  try {
    let answers = '';
    for (const socket of held.sockets) socket.on('data', (chunk) => (answers += chunk));
    await waitFor(() => held.ended === 20, { what: 'the connections to be closed' });
    assert.equal(answers, '');
    assert.equal(await serverConnections(slow), 0);
  } finally {
    for (const socket of held.sockets) socket.destroy();
    await slow.close();
  }
});

test('the limits by default: per client a quarter of the total, none behind a proxy; a total past the open-file limit is refused', () => {
  const direct = loadConfig({ MAX_CONNECTIONS: '400', IDENTITY_HEADER: 'ignore' });
  assert.deepEqual([direct.maxConnections, direct.maxConnectionsPerClient], [400, 100]);
  assert.equal(loadConfig({ MAX_CONNECTIONS: '400', IDENTITY_HEADER: 'ignore', TRUST_PROXY: '10.0.0.0/8' }).maxConnectionsPerClient, 0);
  assert.equal(loadConfig({ MAX_CONNECTIONS: '400', IDENTITY_HEADER: 'trust' }).maxConnectionsPerClient, 0);
  // Where the system does not tell its open-file limit (not Linux), nothing is refused.
  if (openFileLimit()) {
    assert.throws(() => loadConfig({ MAX_CONNECTIONS: '1000000' }), /MAX_CONNECTIONS must be at most \d+: .*open-file limit/);
  }
});
