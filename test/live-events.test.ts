import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
async function openStream(base = app.url) {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/payloads/${ID}/events`, { signal: controller.signal });
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
    const refused = await request(`${app.url}/v1/payloads/${ID}/events`);
    assert.equal(refused.status, 429);
    assert.match(refused.body.message, /at most 8 live streams/);
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
