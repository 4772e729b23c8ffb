import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
let writer: Record<string, string>;
let reader: Record<string, string>;
const ORG = 'org-r';

// Around the start of summer time in Rome: 2026-03-29 is 23 hours long there.
const EVENTS = [
  { request_id: 'aaaa0000000000000000000000000001', service: 'ingress', status: 'received', date: '2026-03-28T22:30:00Z' },
  { request_id: 'aaaa0000000000000000000000000001', service: 'ingress', status: 'success', date: '2026-03-28T23:00:00Z' },
  { request_id: 'aaaa0000000000000000000000000001', service: 'puptoo', source: 'insights-client', status: 'error', status_msg: '=cmd|calc', date: '2026-03-29T05:00:00.123456Z' },
  { request_id: 'aaaa0000000000000000000000000002', service: 'puptoo', status: 'success', status_msg: 'ok, "quoted"\nline', date: '2026-03-29T21:59:59.999999Z', inventory_id: '11111111-2222-3333-4444-555555555555' },
  { request_id: 'aaaa0000000000000000000000000002', service: 'inventory', status: 'success', date: '2026-03-29T22:00:00Z' },
].map((event) => ({ ...event, org_id: ORG, account: '42' }));
const OTHER_ORG = { request_id: 'bbbb0000000000000000000000000001', service: 'ingress', status: 'success', date: '2026-03-29T10:00:00Z', org_id: 'someone-else' };

before(async () => {
  app = await startTestApp({ renderBatchSize: 2 });
  writer = bearer(await app.token(['data-reports:read', 'data-reports:write'], ORG, 'alice'));
  reader = bearer(await app.token(['data-reports:read'], ORG, 'bob'));
  const ingest = await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'], 'pipeline')),
    body: [...EVENTS, OTHER_ORG],
  });
  assert.equal(ingest.status, 200);
});
after(() => app.close());

const ask = (type: string, body: unknown, headers = writer) =>
  request(`${app.url}/data/reports/${type}/jobs`, { method: 'POST', headers, body });

async function finished(type: string, id: string, headers = reader) {
  for (let i = 0; i < 200; i++) {
    const answer = await request(`${app.url}/data/reports/${type}/jobs/${id}`, { headers });
    if (!['CREATED', 'PROCESSING'].includes(answer.body.job?.status)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`report job ${id} did not finish`);
}

async function download(type: string, id: string) {
  const response = await fetch(`${app.url}/data/reports/${type}/files/${id}`, { headers: reader });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const romeDay = { timezone: 'Europe/Rome', timespan: { from: '2026-03-29', to: '2026-03-30' } };

describe('a statuses report over a 23-hour day in Rome', () => {
  const expected = [
    { date: '2026-03-29T00:00:00.000000+01:00', request_id: 'aaaa0000000000000000000000000001', service: 'ingress', status: 'success', account: '42', org_id: ORG },
    { date: '2026-03-29T07:00:00.123456+02:00', request_id: 'aaaa0000000000000000000000000001', service: 'puptoo', source: 'insights-client', status: 'error', status_msg: '=cmd|calc', account: '42', org_id: ORG },
    { date: '2026-03-29T23:59:59.999999+02:00', request_id: 'aaaa0000000000000000000000000002', service: 'puptoo', status: 'success', status_msg: 'ok, "quoted"\nline', account: '42', org_id: ORG, inventory_id: '11111111-2222-3333-4444-555555555555' },
  ];

  test('json_bulk: one object a line, row by row', async () => {
    const created = await ask('statuses', { name: 'Rome day', format: 'json_bulk', ...romeDay });
    assert.equal(created.status, 202);
    assert.equal(created.body.job.status, 'CREATED');
    assert.deepEqual(created.body.job.timespan, romeDay.timespan);
    const done = await finished('statuses', created.body.job.id);
    assert.equal(done.status, 300);
    assert.equal(done.headers.get('location'), `/data/reports/statuses/files/${created.body.job.id}`);
    assert.equal(done.body.job.status, 'DONE');
    assert.equal(done.body.job.file.rows, 3);
    const file = await download('statuses', created.body.job.id);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-type') ?? '', /application\/x-ndjson/);
    assert.match(file.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="Rome-day-${created.body.job.id}.ndjson"`));
    assert.deepEqual(file.text.trim().split('\n').map((line) => JSON.parse(line)), expected);
  });

  test('json: one document', async () => {
    const created = await ask('statuses', { format: 'json', ...romeDay });
    await finished('statuses', created.body.job.id);
    const file = await download('statuses', created.body.job.id);
    assert.match(file.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(JSON.parse(file.text), expected);
  });

  test('csv: RFC 4180 with a header row; formulas defused', async () => {
    const created = await ask('statuses', { format: 'csv', ...romeDay });
    await finished('statuses', created.body.job.id);
    const file = await download('statuses', created.body.job.id);
    assert.match(file.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(
      file.text,
      'date,request_id,service,source,status,status_msg,account,org_id,inventory_id,system_id\r\n' +
        `2026-03-29T00:00:00.000000+01:00,aaaa0000000000000000000000000001,ingress,,success,,42,${ORG},,\r\n` +
        `2026-03-29T07:00:00.123456+02:00,aaaa0000000000000000000000000001,puptoo,insights-client,error,'=cmd|calc,42,${ORG},,\r\n` +
        `2026-03-29T23:59:59.999999+02:00,aaaa0000000000000000000000000002,puptoo,,success,"ok, ""quoted""\nline",42,${ORG},11111111-2222-3333-4444-555555555555,\r\n`,
    );
  });
});
