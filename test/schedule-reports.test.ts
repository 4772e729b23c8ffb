import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { waitFor } from './wait.ts';

const INVENTORY = '11111111-0000-4000-8000-000000000001';
const CLUSTER = '22222222-0000-4000-8000-000000000002';
let app: TestApp;
let writer: Record<string, string>;

before(async () => {
  // "Now" is the 25th in UTC: a run now reports the 24th.
  app = await startTestApp({ now: () => new Date('2026-11-25T08:00:00Z') });
  writer = bearer(await app.token(['data-reports:read', 'data-reports:write'], '5', 'planner'));
  const event = (id: string, service: string, status: string, time: string, extra: Record<string, unknown> = {}) => ({
    request_id: id,
    service,
    status,
    date: `2026-11-24T${time}Z`,
    org_id: '5',
    ...extra,
  });
  const ids = ['g0000000000000000000000000000001', 'g0000000000000000000000000000002', 'g0000000000000000000000000000003'];
  await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'], 'pipeline')),
    body: [
      // Payload 1 (inventory host): 10 s in puptoo, success.
      event(ids[0], 'ingress', 'received', '10:00:00', { inventory_id: INVENTORY }),
      event(ids[0], 'puptoo', 'processing', '10:00:00'),
      event(ids[0], 'puptoo', 'success', '10:00:10'),
      // Payload 2: 30 s in puptoo, error.
      event(ids[1], 'puptoo', 'processing', '11:00:00'),
      event(ids[1], 'puptoo', 'error', '11:00:30'),
      // Payload 3 (a cluster's gathering): 20 s in puptoo, success.
      event(ids[2], 'puptoo', 'processing', '12:00:00'),
      event(ids[2], 'puptoo', 'success', '12:00:20'),
    ],
  });
  await request(`${app.url}/v1/results`, {
    headers: bearer(await app.token(['results:write'], 'pipeline')),
    body: { OrgID: 5, ClusterName: CLUSTER, RequestId: ids[2], Metadata: { gathering_time: '2026-11-24T12:00:00Z' } },
  });
});
after(() => app.close());

/** Creates a schedule, runs it now for the 24th, and reads the rendered file (and its task's messages, when asked). */
async function runNow(attrs: Record<string, unknown>, messages?: string[]) {
  const created = await request(`${app.url}/api/v1/reports/schedules`, {
    headers: writer,
    body: { attrs: { name: 'summary', schedule: 'daily', timezone: 'UTC', send_to: ['a@example.com'], format: 'json', ...attrs } },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const run = await request(`${app.url}/api/v1/reports/schedules/${created.body.data.schedule.id}/run`, {
    method: 'POST',
    headers: writer,
  });
  const type = attrs.type as string;
  await waitFor(
    async () => (await request(`${app.url}/data/reports/${type}/jobs/${run.body.data.job_id}`, { headers: writer })).status === 300,
    {
      what: 'the report file',
    },
  );
  const file = await fetch(`${app.url}/data/reports/${type}/files/${run.body.data.job_id}`, { headers: writer });
  assert.equal(file.status, 200);
  const task = await request(`${app.url}/task/show`, { headers: writer, body: { params: { task_id: run.body.data.task_id } } });
  messages?.push(...task.body.result.task.messages.map((message: { message: string }) => message.message));
  return JSON.parse(await file.text());
}

test('generic: per service, volume, success rate, median and 95th percentile of time in service', async () => {
  assert.deepEqual(await runNow({ type: 'generic' }), [
    {
      service: 'ingress',
      payloads: 1,
      statuses: 1,
      success: 0,
      error: 0,
      success_percent: 0,
      median_time: '00:00:00.000000',
      p95_time: '00:00:00.000000',
    },
    {
      service: 'puptoo',
      payloads: 3,
      statuses: 6,
      success: 2,
      error: 1,
      success_percent: 66.67,
      median_time: '00:00:20.000000',
      p95_time: '00:00:29.000000',
    },
  ]);
});

test('hosts narrow a report to payloads of those inventory, system or cluster IDs', async () => {
  const rows = await runNow({ type: 'statuses', hosts: [INVENTORY, CLUSTER] });
  assert.deepEqual(
    [...new Set(rows.map((row: { request_id: string }) => row.request_id))],
    ['g0000000000000000000000000000001', 'g0000000000000000000000000000003'],
  );
});

test('a host name or an ID without data narrows to nothing, and the task names each host found nothing for', async () => {
  const unknownId = '33333333-0000-4000-8000-000000000003';
  const messages: string[] = [];
  const rows = await runNow({ type: 'statuses', hosts: [INVENTORY, 'www.service-test-host.it', unknownId] }, messages);
  assert.deepEqual([...new Set(rows.map((row: { request_id: string }) => row.request_id))], ['g0000000000000000000000000000001']);
  assert.ok(messages.includes(`nothing found for host(s): www.service-test-host.it, ${unknownId}`), messages.join(' | '));
  assert.deepEqual(await runNow({ type: 'statuses', hosts: ['www.service-test-host.it'] }), []);
});

test('services narrow a report to those services', async () => {
  const rows = await runNow({ type: 'success-rate', services: ['PUPTOO'] });
  assert.deepEqual(rows, [{ service: 'puptoo', success: 2, error: 1, success_percent: 66.67, error_percent: 33.33 }]);
  const payloads = await runNow({ type: 'payloads', services: ['ingress'] });
  assert.deepEqual(
    payloads.map((row: { request_id: string; services: object }) => [row.request_id, row.services]),
    [['g0000000000000000000000000000001', { ingress: 'received' }]],
  );
});
