import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/create-db.ts';
import { freshDatabase } from './helpers.ts';

const lines: Record<string, unknown>[] = [];
const collected = new Writable({
  write(chunk, _encoding, done) {
    lines.push(JSON.parse(String(chunk)));
    done();
  },
});
let database: Database;
let app: Awaited<ReturnType<typeof buildApp>>;
let url: string;

before(async () => {
  database = await freshDatabase();
  app = await buildApp({
    db: database.db,
    config: loadConfig({}),
    log: pino({ level: 'info' }, collected),
    enqueueReport: async () => {
      throw new Error('no report is enqueued here');
    },
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await app.close();
  await database.close();
});

test('each request is logged once, when it is answered, with its method, URL, status and time', async () => {
  lines.length = 0;
  assert.equal((await fetch(`${url}/v1/payloads?page_size=1`)).status, 200);
  assert.equal((await fetch(`${url}/v1/payloads/not-a-request-id`)).status, 404);
  await new Promise((resolve) => setImmediate(resolve));
  const requests = lines.filter((line) => line.req !== undefined || line.res !== undefined);
  assert.deepEqual(
    requests.map((line) => [
      line.msg,
      (line.req as { method: string }).method,
      (line.req as { url: string }).url,
      (line.res as { statusCode: number }).statusCode,
    ]),
    [
      ['request completed', 'GET', '/v1/payloads?page_size=1', 200],
      ['request completed', 'GET', '/v1/payloads/not-a-request-id', 404],
    ],
  );
  for (const line of requests) assert.equal(typeof line.responseTime, 'number');
});
