import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { waitFor } from './wait.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

let app: TestApp;
let writer: string;
const ID = 'abcdefabcdefabcdefabcdefabcdef01';
const at = (seconds: number) => new Date(TEST_NOW.getTime() - 600_000 + seconds * 1000).toISOString();

const post = (service: string, status: string, seconds: number) =>
  request(`${app.url}/v1/statuses`, { headers: bearer(writer), body: [{ request_id: ID, service, status, date: at(seconds) }] });

before(async () => {
  app = await startTestApp();
  writer = await app.token(['statuses:write']);
  assert.equal((await post('ingress', 'received', 0)).status, 200);
});
after(() => app.close());

/** Reads a text/event-stream, one parsed event at a time. */
async function openStream(base = app.url, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/payloads/${ID}/events`, { signal: controller.signal, headers });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  async function next(): Promise<{ event: string; data: any }> {
    for (;;) {
      const boundary = buffered.indexOf('\n\n');
      if (boundary >= 0) {
        const block = buffered.slice(0, boundary);
        buffered = buffered.slice(boundary + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':') && line.includes(': '))
            .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
        );
        if (fields.event) return { event: fields.event, data: JSON.parse(fields.data) };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffered += value;
    }
  }
  return { response, next, close: () => controller.abort() };
}

describe('GET /v1/payloads/{request_id}/events', () => {
  test('opens with the payload as the detail answers it, then sends it again when a status arrives', async () => {
    const stream = await openStream();
    try {
      assert.equal(stream.response.status, 200);
      assert.match(stream.response.headers.get('content-type')!, /^text\/event-stream/);
      const first = await stream.next();
      assert.equal(first.event, 'payload');
      assert.deepEqual(
        first.data.data.map((row: { status: string }) => row.status),
        ['received'],
      );
      assert.deepEqual(first.data, (await request(`${app.url}/v1/payloads/${ID}`)).body);

      assert.equal((await post('puptoo', 'processing', 30)).status, 200);
      const second = await stream.next();
      assert.deepEqual(
        second.data.data.map((row: { service: string }) => row.service),
        ['ingress', 'puptoo'],
      );
      assert.equal(second.data.duration.total_time, '00:00:30.000000');
    } finally {
      stream.close();
    }
  });

  test('an unknown payload is a 404 in the envelope, not a stream', async () => {
    const { status, body } = await request(`${app.url}/v1/payloads/${'0'.repeat(32)}/events`);
    assert.equal(status, 404);
    assert.equal(body.status, 404);
  });

  test('one address may hold 8 streams; the ninth is a 429, and a closed one frees its place', async () => {
    const streams = [];
    for (let n = 0; n < 8; n += 1) {
      const stream = await openStream();
      await stream.next();
      streams.push(stream);
    }
    // Without TRUST_PROXY, X-Forwarded-For is the client's to write and counts for nothing.
    const refused = await request(`${app.url}/v1/payloads/${ID}/events`, { headers: { 'x-forwarded-for': '10.9.9.9' } });
    assert.equal(refused.status, 429);
    assert.match(refused.body.message, /at most 8 live streams may be open by one caller/);
    streams.pop()!.close();
    // The server learns of the close when the socket goes; wait for the place to come free.
    const reopened = await waitFor(
      async () => {
        const stream = await openStream();
        if (stream.response.status === 200) return stream;
        stream.close();
        return undefined;
      },
      { what: 'a place for a new stream' },
    );
    for (const stream of [...streams, reopened]) stream.close();
  });

  test('a HEAD is answered at once with the headers alone, and holds no place', async () => {
    // A caller of its own, so that no other test's streams count.
    const caller = identityOf('head-tester');
    const head = (id: string) =>
      fetch(`${app.url}/v1/payloads/${id}/events`, { method: 'HEAD', headers: caller, signal: AbortSignal.timeout(5000) });
    for (let n = 0; n < 10; n += 1) {
      const answer = await head(ID);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type')!, /^text\/event-stream/);
      assert.equal(await answer.text(), '');
    }
    assert.equal((await head('0'.repeat(32))).status, 404);
    // The ten HEADs took none of the caller's 8 places.
    const streams = await openStreams(8, app.url, caller);
    assert.deepEqual(
      streams.map((stream) => stream.response.status),
      Array(8).fill(200),
    );
    for (const stream of streams) stream.close();
  });

  test('a server that stops ends its streams with an end event, and closes without waiting on them', async () => {
    const own = await startTestApp();
    const token = await own.token(['statuses:write']);
    const body = [{ request_id: ID, service: 'ingress', status: 'received', date: at(0) }];
    assert.equal((await request(`${own.url}/v1/statuses`, { headers: bearer(token), body })).status, 200);
    const stream = await openStream(own.url);
    await stream.next();
    await own.fastify.close();
    assert.equal((await stream.next()).event, 'end');
    await own.close();
  });
});

/** `count` streams opened one after the other, each once its first event came. */
async function openStreams(count: number, base = app.url, headers: Record<string, string> = {}) {
  const streams = [];
  for (let n = 0; n < count; n += 1) {
    const stream = await openStream(base, headers);
    if (stream.response.status === 200) await stream.next();
    streams.push(stream);
  }
  return streams;
}

/** An x-rh-identity header of a user of org-1, as the platform's gateway sends it. */
const identityOf = (username: string) => ({
  'x-rh-identity': Buffer.from(JSON.stringify({ identity: { type: 'User', org_id: 'org-1', user: { username } } })).toString('base64'),
});

describe('live streams per caller, behind a gateway', () => {
  test('each token and each user of a trusted x-rh-identity has 8 streams of their own', async () => {
    const gateway = await startTestApp({ env: { READ_ACCESS: 'authenticated', IDENTITY_HEADER: 'trust' } });
    const streams = [];
    try {
      const producer = bearer(await gateway.token(['statuses:write']));
      const body = [{ request_id: ID, org_id: 'org-1', service: 'ingress', status: 'received', date: at(0) }];
      assert.equal((await request(`${gateway.url}/v1/statuses`, { headers: producer, body })).status, 200);
      streams.push(...(await openStreams(8, gateway.url, identityOf('alice'))));
      assert.ok(streams.every((stream) => stream.response.status === 200));
      const ninth = await request(`${gateway.url}/v1/payloads/${ID}/events`, { headers: identityOf('alice') });
      assert.equal(ninth.status, 429);
      // Every caller comes from the gateway's address, and each has places of their own.
      const bob = await openStream(gateway.url, identityOf('bob'));
      streams.push(bob);
      assert.equal(bob.response.status, 200);
      const reader = bearer(await gateway.token(['payloads:read'], 'org-1'));
      streams.push(...(await openStreams(8, gateway.url, reader)));
      assert.ok(streams.every((stream) => stream.response.status === 200));
      assert.equal((await request(`${gateway.url}/v1/payloads/${ID}/events`, { headers: reader })).status, 429);
      const otherToken = await openStream(gateway.url, bearer(await gateway.token(['payloads:read'], 'org-1')));
      streams.push(otherToken);
      assert.equal(otherToken.response.status, 200);
    } finally {
      for (const stream of streams) stream.close();
      await gateway.close();
    }
  });

  test('with TRUST_PROXY naming the proxy, each address it forwards for has 8 streams', async () => {
    // A hop count or "all" would believe what the client wrote first.
    for (const refused of ['1', 'true', '10.0.0.0/33']) {
      assert.throws(() => loadConfig({ TRUST_PROXY: refused }), /TRUST_PROXY must name the proxies in front of Tracker by address or CIDR/);
    }
    const proxied = await startTestApp({ env: { TRUST_PROXY: '127.0.0.1', IDENTITY_HEADER: 'ignore', READ_ACCESS: 'open' } });
    const streams = [];
    try {
      const producer = bearer(await proxied.token(['statuses:write']));
      const body = [{ request_id: ID, service: 'ingress', status: 'received', date: at(0) }];
      assert.equal((await request(`${proxied.url}/v1/statuses`, { headers: producer, body })).status, 200);
      streams.push(...(await openStreams(8, proxied.url, { 'x-forwarded-for': '10.0.0.1' })));
      assert.ok(streams.every((stream) => stream.response.status === 200));
      const ninth = await request(`${proxied.url}/v1/payloads/${ID}/events`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
      assert.equal(ninth.status, 429);
      const other = await openStream(proxied.url, { 'x-forwarded-for': '10.0.0.2' });
      streams.push(other);
      assert.equal(other.response.status, 200);
    } finally {
      for (const stream of streams) stream.close();
      await proxied.close();
    }
  });
});
