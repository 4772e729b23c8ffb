import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SCOPES } from '../src/auth/tokens.ts';
import { fuzzCases, type FuzzCase, type Seeds } from './fuzz/cases.ts';
import { forbiddenBodies, forbiddenQueryValues, type JsonSchema } from './fuzz/forbidden.ts';
import { problemWith, send, sendRaw } from './fuzz/send.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

const ORG = '111';
const REQUEST_ID = 'abcdefabcdefabcdefabcdefabcdef12';
const CLUSTER = '5d5892d3-1f74-4ccf-91af-548dfc9767aa';
const CONCURRENCY = 4;

let app: TestApp;
let broker: http.Server;
let headers: Record<string, string>;
let seeds: { jobId: string; scheduleId: string; taskId: number };

const hoursAgo = (hours: number) => new Date(TEST_NOW.getTime() - hours * 3600_000).toISOString();

/** A storage broker that knows no archive, so that archive links answer 404 rather than 503 (no broker). */
function startBroker(): Promise<string> {
  broker = http.createServer((_request, response) => response.writeHead(404).end());
  return new Promise((resolve) =>
    broker.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(broker.address() as AddressInfo).port}/`)),
  );
}

const scheduleAttrs = {
  name: 'weekly',
  type: 'statuses',
  schedule: 'weekly',
  timezone: 'Europe/Rome',
  hosts: [],
  services: ['ingress'],
  send_to: ['ops@example.com'],
  send_via: 'email',
  format: 'csv',
};

before(async () => {
  app = await startTestApp({ env: { STORAGE_BROKER_URL: await startBroker(), REPORT_MAX_UNFINISHED: '10000' }, renderReports: false });
  headers = bearer(await app.token([...SCOPES], ORG));
  const event = { request_id: REQUEST_ID, service: 'ingress', status: 'received', date: hoursAgo(1) };
  assert.equal((await request(`${app.url}/v1/statuses`, { headers, body: event })).status, 200);
  const result = { OrgID: 111, ClusterName: CLUSTER, RequestId: REQUEST_ID, LastChecked: hoursAgo(1), Report: { reports: [] } };
  assert.equal((await request(`${app.url}/v1/results`, { headers, body: result })).status, 200);
  const job = await request(`${app.url}/data/reports/statuses/jobs`, {
    headers,
    body: { format: 'csv', timespan: { from: hoursAgo(48), to: hoursAgo(24) } },
  });
  assert.equal(job.status, 202);
  const schedule = await request(`${app.url}/api/v1/reports/schedules`, { headers, body: { attrs: scheduleAttrs } });
  assert.equal(schedule.status, 200);
  seeds = { jobId: job.body.job.id, scheduleId: schedule.body.data.schedule.id, taskId: job.body.job.task_id };
});

after(async () => {
  await app.close();
  await new Promise((resolve) => broker.close(resolve));
});

/** Sends every case, `CONCURRENCY` at a time; returns the problems found. */
async function sendAll(cases: FuzzCase[]): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const fuzzCase = cases[next++];
      const binaryRoute = fuzzCase.route.includes('/files/');
      try {
        const problem = problemWith(await send(app.url, fuzzCase), binaryRoute);
        if (problem) problems.push(`${fuzzCase.route} with ${fuzzCase.label}: ${problem}`);
      } catch (error) {
        problems.push(`${fuzzCase.route} with ${fuzzCase.label}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return problems;
}

/** A valid request of every route, which the tests spoil. */
const routeSeeds = (): Seeds => ({
  pathParams: {
    request_id: REQUEST_ID,
    clusterID: CLUSTER,
    requestID: REQUEST_ID,
    type: 'statuses',
    id: seeds.jobId,
    schedule_id: seeds.scheduleId,
  },
  bodies: {
    'POST /v1/statuses': [
      {
        service: 'puptoo',
        source: 'insights',
        account: '42',
        org_id: ORG,
        request_id: REQUEST_ID,
        inventory_id: '6e5b6ac5-8a5b-4b0f-9d0e-2f0a8c3c9f11',
        system_id: '7e5b6ac5-8a5b-4b0f-9d0e-2f0a8c3c9f11',
        status: 'success',
        status_msg: 'done',
        date: hoursAgo(0.5),
      },
    ],
    'POST /v1/results': {
      OrgID: 111,
      ClusterName: CLUSTER,
      RequestId: REQUEST_ID,
      LastChecked: hoursAgo(1),
      Metadata: { gathering_time: hoursAgo(1) },
      Report: { reports: [{ component: 'rules.a.report', key: 'KEY_A' }] },
    },
    'POST /cluster/{clusterID}/requests': [REQUEST_ID],
    'POST /data/reports/{type}/jobs': {
      name: 'n',
      timezone: 'Europe/Rome',
      format: 'json',
      timespan: { from: '2026-11-01', to: '2026-11-02' },
    },
    'POST /api/v1/reports/schedules': { attrs: scheduleAttrs },
    'PUT /api/v1/reports/schedules/{schedule_id}': { attrs: scheduleAttrs },
    'POST /api/v1/reports/schedules/preview': { schedule: 'weekly', timezone: 'Europe/Rome' },
    'DELETE /api/v1/reports/registries': { schedules_ids: ['999999'] },
    'POST /task/list': { params: { configuration_id: 0, show_hidden: true } },
    'POST /v1/dead-letters/replay': { ids: ['1'], reason: 'org_id' },
    'POST /task/show': { params: { task_id: seeds.taskId } },
    'POST /task/dismiss': { params: { task_id: seeds.taskId } },
  },
  headers,
});

test('every route of /openapi.json refuses malformed input with a JSON 4xx: no 5xx, no hang', async (t) => {
  const doc = (await request(`${app.url}/openapi.json`)).body;
  const cases = fuzzCases(doc, routeSeeds());
  const routes = new Set(cases.map((fuzzCase) => fuzzCase.route));
  const problems = await sendAll(cases);
  t.diagnostic(`${cases.length} requests over ${routes.size} routes; ${problems.length} problems`);
  assert.equal(
    problems.length,
    0,
    `${problems.length} of ${cases.length} requests answered badly:\n${problems.slice(0, Number(process.env.FUZZ_SHOW ?? 40)).join('\n')}`,
  );
});

test('malformed HTTP is answered with a JSON 400, and the connection closed', async () => {
  const garbage = [
    'GET /v1/payloads\u0001 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /v1/payloads HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
    'GET /v1/payloads HTTP/9.9\r\nHost: x\r\n\r\n',
    'POST /v1/statuses HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'POST /v1/statuses HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzzz\r\n',
    'BREW /coffee HTCPCP/1.0\r\n\r\n',
  ];
  for (const raw of garbage) {
    const answer = await sendRaw(app.url, raw);
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 4\d\d /, `${JSON.stringify(raw)} was answered ${JSON.stringify(answer)}`);
    assert.match(head, /content-type: application\/json/i, JSON.stringify(raw));
    assert.doesNotThrow(() => JSON.parse(body), JSON.stringify(raw));
  }
});

test('every route enforces the body and query schema /openapi.json documents: each value it forbids is a 400', async (t) => {
  const doc = (await request(`${app.url}/openapi.json`)).body;
  const { pathParams, bodies } = routeSeeds();
  const answeredOtherwise: string[] = [];
  let sent = 0;
  for (const [template, operations] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const route = `${method.toUpperCase()} ${template}`;
      const url = `${app.url}${template.replace(/\{(\w+)\}/g, (_, name: string) => pathParams[name])}`;
      const attempts: { label: string; query?: string; body?: unknown }[] = [];
      const bodySchema = operation.requestBody?.content['application/json']?.schema;
      if (bodySchema) {
        assert.ok(route in bodies, `${route} takes a body: give the test a valid one`);
        for (const spoiled of forbiddenBodies(bodySchema, bodies[route]))
          attempts.push({ label: `body ${spoiled.label}`, body: spoiled.value });
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'query') continue;
        for (const spoiled of forbiddenQueryValues(parameter.schema)) {
          attempts.push({
            label: `?${parameter.name} ${spoiled.label}`,
            query: `${parameter.name}=${encodeURIComponent(String(spoiled.value))}`,
          });
        }
      }
      for (const attempt of attempts) {
        const answer = await request(attempt.query ? `${url}?${attempt.query}` : url, {
          method: method.toUpperCase(),
          headers,
          ...(attempt.body === undefined
            ? {}
            : { raw: JSON.stringify(attempt.body), headers: { ...headers, 'content-type': 'application/json' } }),
        });
        sent++;
        if (answer.status !== 400)
          answeredOtherwise.push(`${route} with ${attempt.label}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
    }
  }
  t.diagnostic(`${sent} forbidden values sent`);
  assert.ok(sent > 100, `only ${sent} forbidden values were made: the walk found too little`);
  assert.deepEqual(answeredOtherwise, []);
});

interface Operation {
  parameters?: { in: string; name: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
