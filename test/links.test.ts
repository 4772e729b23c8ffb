import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

const ID = 'abcabcabcabcabcabcabcabcabcabcab';
let app: TestApp;
let broker: http.Server;
const brokerCalls: string[] = [];
const brokerAuthorizations: (string | undefined)[] = [];
/** The broker's password, with characters a URL must percent-encode. */
const PASSWORD = 's3cr@t/pw';

/**
 * A storage broker on a free port that takes only Basic auth with PASSWORD: one
 * archive, one failing ID, one that never answers in time. Its URL carries the credentials.
 */
function startBroker(): Promise<string> {
  broker = http.createServer((req, res) => {
    const requestId = new URL(req.url ?? '/', 'http://broker').searchParams.get('request_id') ?? '';
    brokerCalls.push(requestId);
    brokerAuthorizations.push(req.headers.authorization);
    if (req.headers.authorization !== `Basic ${Buffer.from(`tracker:${PASSWORD}`).toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
    } else if (requestId === ID) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://s3.example/${requestId}.tar.gz` }));
    } else if (requestId === 'broken') {
      res.writeHead(500).end('boom');
    } else if (requestId === 'slow') {
      setTimeout(() => res.writeHead(200).end('{}'), 2000);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    broker.listen(0, '127.0.0.1', () =>
      resolve(`http://tracker:${encodeURIComponent(PASSWORD)}@127.0.0.1:${(broker.address() as AddressInfo).port}/archive/url`),
    ),
  );
}

const identity = (roles?: unknown) =>
  Buffer.from(JSON.stringify({ identity: { org_id: '1', type: 'Associate', associate: { Role: roles, email: 'a@b.c' } } })).toString(
    'base64',
  );
const withRole = { 'x-rh-identity': identity(['some-role', 'platform-archive-download']) };

before(async () => {
  const brokerUrl = await startBroker();
  app = await startTestApp({
    env: {
      STORAGE_BROKER_URL: brokerUrl,
      STORAGE_BROKER_TIMEOUT_MS: '300',
      KIBANA_URL: 'https://kibana.example/',
      KIBANA_INDEX: "logs-it's",
    },
  });
  await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'])),
    body: [
      { request_id: ID, service: 'ingress', status: 'received', date: '2026-11-25T10:00:00Z' },
      { request_id: ID, service: 'puptoo', status: 'success', date: '2026-11-25T10:05:00Z' },
    ],
  });
});
after(async () => {
  await app.close();
  broker.closeAllConnections();
  await new Promise((resolve) => broker.close(resolve));
});

describe('archive links', () => {
  test('with the role: the broker URL as url and data.url', async () => {
    const { status, body } = await request(`${app.url}/v1/payloads/${ID}/archiveLink`, { headers: withRole });
    assert.equal(status, 200);
    assert.deepEqual(body, { url: `https://s3.example/${ID}.tar.gz`, data: { url: `https://s3.example/${ID}.tar.gz` } });
    assert.equal(brokerCalls.at(-1), ID);
  });

  test('the dashed request ID is sent to the broker in canonical form', async () => {
    const dashed = `${ID.slice(0, 8)}-${ID.slice(8, 12)}-${ID.slice(12, 16)}-${ID.slice(16, 20)}-${ID.slice(20)}`;
    assert.equal((await request(`${app.url}/api/v1/payloads/${dashed}/archiveLink`, { headers: withRole })).status, 200);
    assert.equal(brokerCalls.at(-1), ID);
  });

  test('no identity, or one that is not base64 JSON: 401', async () => {
    assert.equal((await request(`${app.url}/v1/payloads/${ID}/archiveLink`)).status, 401);
    const garbled = await request(`${app.url}/v1/payloads/${ID}/archiveLink`, { headers: { 'x-rh-identity': '%%%not-base64' } });
    assert.equal(garbled.status, 401);
    assert.equal(garbled.body.status, 401);
  });

  test('an identity without the role: 403', async () => {
    const { status, body } = await request(`${app.url}/v1/payloads/${ID}/archiveLink`, {
      headers: { 'x-rh-identity': identity(['other']) },
    });
    assert.equal(status, 403);
    assert.match(body.message, /platform-archive-download/);
    assert.equal((await request(`${app.url}/v1/payloads/${ID}/archiveLink`, { headers: { 'x-rh-identity': identity() } })).status, 403);
  });

  test("the broker's 404 is a 404; its failure and its silence are 502", async () => {
    assert.equal((await request(`${app.url}/v1/payloads/ffffffffffffffffffffffffffffffff/archiveLink`, { headers: withRole })).status, 404);
    const broken = await request(`${app.url}/v1/payloads/broken/archiveLink`, { headers: withRole });
    assert.equal(broken.status, 502);
    assert.match(broken.body.message, /answered 500/);
    const slow = await request(`${app.url}/v1/payloads/slow/archiveLink`, { headers: withRole });
    assert.equal(slow.status, 502);
    assert.match(slow.body.message, /no answer within 300 ms/);
  });

  test("the broker URL's user and password go as Basic auth, and no answer shows the password", async () => {
    for (const id of ['broken', 'slow']) {
      const failed = await request(`${app.url}/v1/payloads/${id}/archiveLink`, { headers: withRole });
      const text = JSON.stringify(failed.body);
      assert.ok(!text.includes('s3cr'), text);
      assert.equal(failed.status, 502);
    }
    const { status } = await request(`${app.url}/v1/payloads/${ID}/archiveLink`, { headers: withRole });
    assert.equal(status, 200);
    assert.equal(brokerAuthorizations.at(-1), `Basic ${Buffer.from(`tracker:${PASSWORD}`).toString('base64')}`);
  });

  test('a malformed request ID: 400', async () => {
    assert.equal((await request(`${app.url}/v1/payloads/a%20b/archiveLink`, { headers: withRole })).status, 400);
  });

  test('roles/archiveLink says whether the caller may download', async () => {
    assert.deepEqual((await request(`${app.url}/v1/roles/archiveLink`, { headers: withRole })).body, { allowed: true });
    assert.equal((await request(`${app.url}/v1/roles/archiveLink`, { headers: { 'x-rh-identity': identity(['x']) } })).status, 403);
    assert.equal((await request(`${app.url}/v1/roles/archiveLink`)).status, 401);
  });
});

describe('Kibana links', () => {
  test('a Discover URL over the payload, an hour either side of its statuses, values escaped', async () => {
    const { status, body } = await request(`${app.url}/v1/payloads/${ID}/kibanaLink?service=it's`);
    assert.equal(status, 200);
    assert.equal(body.url, body.data.url);
    const url = new URL(body.url);
    assert.equal(url.origin + url.pathname, 'https://kibana.example/app/discover');
    const hash = decodeURIComponent(url.hash);
    assert.match(hash, /time:\(from:'2026-11-25T09:00:00.000Z',to:'2026-11-25T11:05:00.000Z'\)/);
    assert.match(hash, /index:'logs-it!'s'/);
    assert.match(hash, new RegExp(`query:'"${ID}" and app:"it!'s"'`));
  });

  test('without a service the query is the request ID alone', async () => {
    const { body } = await request(`${app.url}/v1/payloads/${ID}/kibanaLink`);
    assert.match(decodeURIComponent(body.url), new RegExp(`query:'"${ID}"'`));
  });

  test('an unknown payload: 404; a malformed ID: 400', async () => {
    assert.equal((await request(`${app.url}/v1/payloads/ffffffffffffffffffffffffffffffff/kibanaLink`)).status, 404);
    assert.equal((await request(`${app.url}/v1/payloads/a$b/kibanaLink`)).status, 400);
  });
});
