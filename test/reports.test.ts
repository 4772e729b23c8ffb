import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expireReportFiles } from '../src/reports/expiry.ts';
import { nextBatchSize } from '../src/shared/statement-budget.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { waitFor } from './wait.ts';

let app: TestApp;
let writer: Record<string, string>;
let reader: Record<string, string>;
const ORG = 'org-r';

// Around the start of summer time in Rome: 2026-03-29 is 23 hours long there.
const EVENTS = [
  { request_id: 'aaaa0000000000000000000000000001', service: 'ingress', status: 'received', date: '2026-03-28T22:30:00Z' },
  { request_id: 'aaaa0000000000000000000000000001', service: 'ingress', status: 'success', date: '2026-03-28T23:00:00Z' },
  {
    request_id: 'aaaa0000000000000000000000000001',
    service: 'puptoo',
    source: 'insights-client',
    status: 'error',
    status_msg: '=cmd|calc',
    date: '2026-03-29T05:00:00.123456Z',
  },
  {
    request_id: 'aaaa0000000000000000000000000002',
    service: 'puptoo',
    status: 'success',
    status_msg: 'ok, "quoted"\nline',
    date: '2026-03-29T21:59:59.999999Z',
    inventory_id: '11111111-2222-3333-4444-555555555555',
  },
  { request_id: 'aaaa0000000000000000000000000002', service: 'inventory', status: 'success', date: '2026-03-29T22:00:00Z' },
].map((event) => ({ ...event, org_id: ORG, account: '42' }));
const OTHER_ORG = {
  request_id: 'bbbb0000000000000000000000000001',
  service: 'ingress',
  status: 'success',
  date: '2026-03-29T10:00:00Z',
  org_id: 'someone-else',
};

before(async () => {
  app = await startTestApp({ renderBatchSize: 2, now: () => new Date('2026-03-30T12:00:00Z') });
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
  return waitFor(
    async () => {
      const answer = await request(`${app.url}/data/reports/${type}/jobs/${id}`, { headers });
      return !['CREATED', 'PROCESSING'].includes(answer.body.job?.status) && answer;
    },
    { what: `report job ${id} to finish` },
  );
}

/** The records of a json_bulk file, one JSON document a line. */
const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

async function download(type: string, id: string) {
  const response = await fetch(`${app.url}/data/reports/${type}/files/${id}`, { headers: reader });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const romeDay = { timezone: 'Europe/Rome', timespan: { from: '2026-03-29', to: '2026-03-30' } };

describe('a statuses report over a 23-hour day in Rome', () => {
  const expected = [
    {
      date: '2026-03-29T00:00:00.000000+01:00',
      request_id: 'aaaa0000000000000000000000000001',
      service: 'ingress',
      status: 'success',
      account: '42',
      org_id: ORG,
    },
    {
      date: '2026-03-29T07:00:00.123456+02:00',
      request_id: 'aaaa0000000000000000000000000001',
      service: 'puptoo',
      source: 'insights-client',
      status: 'error',
      status_msg: '=cmd|calc',
      account: '42',
      org_id: ORG,
    },
    {
      date: '2026-03-29T23:59:59.999999+02:00',
      request_id: 'aaaa0000000000000000000000000002',
      service: 'puptoo',
      status: 'success',
      status_msg: 'ok, "quoted"\nline',
      account: '42',
      org_id: ORG,
      inventory_id: '11111111-2222-3333-4444-555555555555',
    },
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
    assert.match(
      file.headers.get('content-disposition') ?? '',
      new RegExp(`attachment; filename="Rome-day-${created.body.job.id}.ndjson"`),
    );
    assert.deepEqual(jsonLines(file.text), expected);
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

describe('a payloads report', () => {
  // Only the second payload was first seen that day in Rome; the first one a little before midnight.
  const expected = {
    request_id: 'aaaa0000000000000000000000000002',
    account: '42',
    org_id: ORG,
    inventory_id: '11111111-2222-3333-4444-555555555555',
    created_at: '2026-03-29T23:59:59.999999+02:00',
    first_status_at: '2026-03-29T23:59:59.999999+02:00',
    last_status_at: '2026-03-30T00:00:00.000000+02:00',
    total_time: '00:00:00.000001',
    services: { inventory: 'success', puptoo: 'success' },
  };

  for (const format of ['json_bulk', 'json', 'csv'] as const) {
    test(`in ${format}`, async () => {
      const created = await ask('payloads', { format, ...romeDay });
      assert.equal((await finished('payloads', created.body.job.id)).status, 300);
      const { text } = await download('payloads', created.body.job.id);
      if (format === 'json_bulk') assert.deepEqual(jsonLines(text), [expected]);
      if (format === 'json') assert.deepEqual(JSON.parse(text), [expected]);
      if (format === 'csv') {
        assert.equal(
          text,
          'request_id,account,org_id,inventory_id,system_id,created_at,first_status_at,last_status_at,total_time,services\r\n' +
            `aaaa0000000000000000000000000002,42,${ORG},11111111-2222-3333-4444-555555555555,,` +
            '2026-03-29T23:59:59.999999+02:00,2026-03-29T23:59:59.999999+02:00,2026-03-30T00:00:00.000000+02:00,' +
            '00:00:00.000001,"{""inventory"":""success"",""puptoo"":""success""}"\r\n',
        );
      }
    });
  }
});

describe('a success-rate report', () => {
  const expected = [
    { service: 'ingress', success: 1, error: 0, success_percent: 100, error_percent: 0 },
    { service: 'puptoo', success: 1, error: 1, success_percent: 50, error_percent: 50 },
  ];
  for (const format of ['json_bulk', 'json', 'csv'] as const) {
    test(`in ${format}`, async () => {
      const created = await ask('success-rate', { format, ...romeDay });
      await finished('success-rate', created.body.job.id);
      const { text } = await download('success-rate', created.body.job.id);
      if (format === 'json_bulk') assert.deepEqual(jsonLines(text), expected);
      if (format === 'json') assert.deepEqual(JSON.parse(text), expected);
      if (format === 'csv') {
        assert.equal(text, 'service,success,error,success_percent,error_percent\r\ningress,1,0,100,0\r\npuptoo,1,1,50,50\r\n');
      }
    });
  }

  test('a span with no data gives a file with no rows', async () => {
    const created = await ask('success-rate', { format: 'json', timespan: { from: '2020-01-01', to: '2020-01-02' } });
    await finished('success-rate', created.body.job.id);
    assert.deepEqual(JSON.parse((await download('success-rate', created.body.job.id)).text), []);
  });
});

describe('asking for a report', () => {
  const invalid = async (type: string, body: unknown) => {
    const { status, body: answer } = await ask(type, body);
    assert.equal(status, 400);
    assert.deepEqual(Object.keys(answer).sort(), ['code', 'description', 'fields', 'message']);
    return answer.fields.map((field: { name: string }) => field.name);
  };

  test('each invalid field is named', async () => {
    assert.deepEqual(await invalid('weather', { format: 'csv', ...romeDay }), ['type']);
    assert.deepEqual(
      await invalid('statuses', { format: 'xlsx', timezone: 'Mars/Olympus', timespan: { from: 'soon', to: '2026-03-30' } }),
      ['format', 'timespan.from', 'timezone'],
    );
    assert.deepEqual(await invalid('statuses', { format: 'csv', timespan: { from: '2026-03-30', to: '2026-03-29' } }), ['timespan.to']);
    assert.deepEqual(await invalid('statuses', { format: 'csv', timespan: { from: '2026-01-01', to: '2026-03-01' } }), ['timespan']);
    assert.deepEqual(await invalid('statuses', { format: 'csv' }), ['timespan']);
    assert.deepEqual(await invalid('statuses', { format: 'csv', name: '', ...romeDay }), ['name']);
    assert.deepEqual(await invalid('statuses', [1]), ['body']);
  });

  test('31 days are allowed; an offset in the span is honoured', async () => {
    assert.equal((await ask('statuses', { format: 'csv', timespan: { from: '2026-01-01', to: '2026-02-01' } })).status, 202);
    const created = await ask('statuses', {
      format: 'json',
      timezone: 'Europe/Rome',
      timespan: { from: '2026-03-29T07:00:00.123456+02:00', to: '2026-03-29T07:00:00.123457+02:00' },
    });
    assert.equal(created.status, 202);
    await finished('statuses', created.body.job.id);
    assert.deepEqual(
      JSON.parse((await download('statuses', created.body.job.id)).text).map((row: { service: string }) => row.service),
      ['puptoo'],
    );
  });

  test('without a token 401; without data-reports:write 403; without data-reports:read 403', async () => {
    assert.equal((await ask('statuses', { format: 'csv', ...romeDay }, {})).status, 401);
    assert.equal((await ask('statuses', { format: 'csv', ...romeDay }, reader)).status, 403);
    const writeOnly = bearer(await app.token(['statuses:write'], ORG));
    assert.equal((await request(`${app.url}/data/reports/statuses/jobs`, { headers: writeOnly })).status, 403);
  });

  test('jobs are listed newest first with their count', async () => {
    const { status, body } = await request(`${app.url}/data/reports/success-rate/jobs?page_size=2`, { headers: reader });
    assert.equal(status, 200);
    assert.ok(body.count >= 4);
    assert.equal(body.jobs.length, 2);
    assert.ok(Number(body.jobs[0].job.id) > Number(body.jobs[1].job.id));
  });
});

describe('deleting, tasks, and other orgs', () => {
  let jobId = '';
  let taskId = 0;
  before(async () => {
    const created = await ask('statuses', { name: 'to delete', format: 'csv', ...romeDay });
    jobId = created.body.job.id;
    taskId = (await finished('statuses', jobId)).body.job.task_id;
  });
  const task = (endpoint: string, params: unknown, headers = writer) =>
    request(`${app.url}/task/${endpoint}`, { method: 'POST', headers, body: { params } });

  test("the task tells the job's steps in order", async () => {
    const { status, body } = await task('show', { task_id: taskId }, reader);
    assert.equal(status, 200);
    assert.equal(body.successful, true);
    const shown = body.result.task;
    assert.equal(shown.state, 'End');
    assert.equal(shown.configuration_id, 0);
    assert.equal(shown.configuration_name, 'to delete');
    assert.equal(shown.performed_by, 'alice');
    assert.equal(shown.hidden_by, '');
    assert.deepEqual(shown.report_job, { id: jobId, type: 'statuses' });
    assert.match(shown.finished, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    assert.deepEqual(
      shown.messages.map((message: { message: string }) => message.message.replace(/\d+ bytes/, 'N bytes')),
      ['queued', 'rendering', '3 rows read', `file written: ${jobId}.csv, N bytes`],
    );
  });

  test('another org sees none of it', async () => {
    const other = bearer(await app.token(['data-reports:read', 'data-reports:write'], 'org-other'));
    assert.equal((await request(`${app.url}/data/reports/statuses/jobs/${jobId}`, { headers: other })).status, 404);
    assert.equal((await request(`${app.url}/data/reports/statuses/files/${jobId}`, { headers: other })).status, 404);
    assert.equal((await request(`${app.url}/data/reports/statuses/jobs/${jobId}`, { method: 'DELETE', headers: other })).status, 404);
    assert.equal((await request(`${app.url}/data/reports/statuses/jobs`, { headers: other })).body.count, 0);
    assert.deepEqual((await task('list', {}, other)).body.result.tasks, []);
    const shown = await task('show', { task_id: taskId }, other);
    assert.equal(shown.status, 400);
    assert.deepEqual(shown.body, { error: { message: `task ${taskId} was not found` }, successful: false });
    assert.equal((await task('dismiss', { task_id: taskId }, other)).status, 400);
    // The job of another type is not found either.
    assert.equal((await request(`${app.url}/data/reports/payloads/jobs/${jobId}`, { headers: reader })).status, 404);
  });

  test('dismissing: needs data-reports:write; hides the task unless show_hidden', async () => {
    assert.equal((await task('dismiss', { task_id: taskId }, reader)).status, 403);
    const dismissed = await task('dismiss', { task_id: taskId });
    assert.equal(dismissed.status, 200);
    assert.equal(dismissed.body.result.task.state, 'Dismissed');
    assert.equal(dismissed.body.result.task.hidden_by, 'alice');
    const listed = (await task('list', {}, reader)).body.result.tasks.map((shown: { task_id: number }) => shown.task_id);
    assert.ok(!listed.includes(taskId));
    const all = (await task('list', { show_hidden: true }, reader)).body.result.tasks.map((shown: { task_id: number }) => shown.task_id);
    assert.ok(all.includes(taskId));
    assert.deepEqual(
      all,
      [...all].sort((a: number, b: number) => b - a),
      'newest first',
    );
    assert.deepEqual((await task('list', { configuration_id: 0 }, reader)).body.result.tasks.length, listed.length);
    assert.deepEqual((await task('list', { configuration_id: 7 }, reader)).body.result.tasks, []);
  });

  test('bad task requests: 400 in the envelope', async () => {
    for (const params of [{}, { task_id: 'x' }, { task_id: -1 }]) {
      const { status, body } = await task('show', params, reader);
      assert.equal(status, 400, JSON.stringify(params));
      assert.equal(body.successful, false);
      assert.equal(typeof body.error.message, 'string');
    }
  });

  test('deleting a finished job deletes its file; the job reads as DELETED', async () => {
    const deleted = await request(`${app.url}/data/reports/statuses/jobs/${jobId}`, { method: 'DELETE', headers: writer });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.job.status, 'DELETED');
    assert.equal((await download('statuses', jobId)).status, 404);
    const shown = await request(`${app.url}/data/reports/statuses/jobs/${jobId}`, { headers: reader });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.job.status, 'DELETED');
    assert.equal(app.config.reportsDir.length > 0, true);
    const { readdirSync } = await import('node:fs');
    assert.ok(!readdirSync(app.config.reportsDir).some((name) => name.startsWith(`${jobId}.`)));
  });
});

describe('without a worker', () => {
  let idle: TestApp;
  let token: Record<string, string>;
  before(async () => {
    idle = await startTestApp({ renderReports: false, env: { REPORT_MAX_UNFINISHED: '3' } });
    token = bearer(await idle.token(['data-reports:read', 'data-reports:write'], ORG, 'carol'));
  });
  after(() => idle.close());
  const post = () => request(`${idle.url}/data/reports/statuses/jobs`, { headers: token, body: { format: 'csv', ...romeDay } });

  test('an unfinished job can be cancelled; its task fails saying who cancelled it and cannot be dismissed before', async () => {
    const created = await post();
    const taskId = created.body.job.task_id;
    const early = await request(`${idle.url}/task/dismiss`, { headers: token, body: { params: { task_id: taskId } } });
    assert.equal(early.status, 400);
    assert.match(early.body.error.message, /still in progress/);
    const cancelled = await request(`${idle.url}/data/reports/statuses/jobs/${created.body.job.id}`, { method: 'DELETE', headers: token });
    assert.equal(cancelled.body.job.status, 'DELETED');
    const shown = await request(`${idle.url}/task/show`, { headers: token, body: { params: { task_id: taskId } } });
    assert.equal(shown.body.result.task.state, 'Failed');
    assert.equal(shown.body.result.task.messages.at(-1).message, 'cancelled by carol');
  });

  test('at most REPORT_MAX_UNFINISHED unfinished jobs per org: then 429', async () => {
    assert.equal((await post()).status, 202);
    assert.equal((await post()).status, 202);
    assert.equal((await post()).status, 202);
    const refused = await post();
    assert.equal(refused.status, 429);
    assert.match(refused.body.message, /at most 3/);
    const quota = await request(`${idle.url}/data/reports/quota`, { headers: token });
    assert.deepEqual(quota.body, { max_unfinished: 3, unfinished: 3, max_span_days: 31 });
    const otherOrg = bearer(await idle.token(['data-reports:write'], 'org-z'));
    assert.equal(
      (await request(`${idle.url}/data/reports/statuses/jobs`, { headers: otherOrg, body: { format: 'csv', ...romeDay } })).status,
      202,
    );
  });
});

test('a job whose every attempt fails ends FAILED with the reason, and so does its task', async () => {
  const blocker = path.join(os.tmpdir(), `tracker-not-a-dir-${process.pid}`);
  fs.writeFileSync(blocker, 'a file where the reports directory should be');
  const failing = await startTestApp({ env: { REPORTS_DIR: blocker, REPORT_MAX_ATTEMPTS: '2' } });
  try {
    const token = bearer(await failing.token(['data-reports:read', 'data-reports:write'], ORG));
    const created = await request(`${failing.url}/data/reports/statuses/jobs`, { headers: token, body: { format: 'csv', ...romeDay } });
    const job = await waitFor(async () => {
      const { job } = (await request(`${failing.url}/data/reports/statuses/jobs/${created.body.job.id}`, { headers: token })).body;
      return !['CREATED', 'PROCESSING'].includes(job.status) && job;
    });
    assert.equal(job.status, 'FAILED');
    assert.match(
      job.failure_reason,
      /^attempt 2 of 2 failed: the report file could not be written: the reports directory is not a directory \((EEXIST|ENOTDIR)\)$/,
    );
    assert.ok(!job.failure_reason.includes(os.tmpdir()), 'no server path in the reason');
    assert.equal((await request(`${failing.url}/data/reports/statuses/files/${job.id}`, { headers: token })).status, 404);
    const task = (await request(`${failing.url}/task/show`, { headers: token, body: { params: { task_id: job.task_id } } })).body.result
      .task;
    assert.equal(task.state, 'Failed');
    assert.deepEqual(
      task.messages.map((message: { message: string }) => message.message.replace(/:.*/, '')),
      ['queued', 'rendering', 'attempt 1 failed', 'rendering again (attempt 2)', 'failed'],
    );
  } finally {
    await failing.close();
    fs.rmSync(blocker, { force: true });
  }
});

test('a file expires REPORT_FILE_TTL_DAYS after it was written: the job then reads as DELETED', async () => {
  let clock = new Date('2026-11-25T12:00:00Z');
  const aging = await startTestApp({ now: () => clock, env: { REPORT_FILE_TTL_DAYS: '30' } });
  try {
    const token = bearer(await aging.token(['data-reports:read', 'data-reports:write'], ORG));
    const created = await request(`${aging.url}/data/reports/success-rate/jobs`, { headers: token, body: { format: 'csv', ...romeDay } });
    const id = created.body.job.id;
    const answer = await waitFor(async () => {
      const job = await request(`${aging.url}/data/reports/success-rate/jobs/${id}`, { headers: token });
      return job.status === 300 && job;
    });
    assert.equal(answer.body.job.file.expires_at, '2026-12-25T12:00:00.000000000Z');
    clock = new Date('2026-12-25T11:59:59Z');
    assert.equal((await request(`${aging.url}/data/reports/success-rate/jobs/${id}`, { headers: token })).status, 300);
    clock = new Date('2026-12-25T12:00:00Z');
    const expired = await request(`${aging.url}/data/reports/success-rate/jobs/${id}`, { headers: token });
    assert.equal(expired.status, 200);
    assert.equal(expired.body.job.status, 'DELETED');
    assert.equal((await request(`${aging.url}/data/reports/success-rate/files/${id}`, { headers: token })).status, 404);
    assert.deepEqual(fs.readdirSync(aging.config.reportsDir), []);
  } finally {
    await aging.close();
  }
});

test('the upkeep deletes expired files', async () => {
  const created = await ask('success-rate', { format: 'json', ...romeDay });
  const done = await finished('success-rate', created.body.job.id);
  const expiresAt = new Date(done.body.job.file.expires_at);
  const file = `${created.body.job.id}.json`;
  await expireReportFiles(app.database.db, app.config.reportsDir, new Date(expiresAt.getTime() - 1));
  assert.ok(fs.readdirSync(app.config.reportsDir).includes(file), 'kept until it expires');
  assert.ok((await expireReportFiles(app.database.db, app.config.reportsDir, expiresAt)) >= 1);
  assert.ok(!fs.readdirSync(app.config.reportsDir).includes(file));
  assert.equal(
    (await request(`${app.url}/data/reports/success-rate/jobs/${created.body.job.id}`, { headers: reader })).body.job.status,
    'DELETED',
  );
});

test('the OpenAPI document lists the report and task routes', async () => {
  const { body } = await request(`${app.url}/openapi.json`);
  assert.ok(body.paths['/data/reports/{type}/jobs'].post);
  assert.ok(body.paths['/data/reports/{type}/jobs'].get);
  assert.ok(body.paths['/data/reports/{type}/jobs/{id}'].get);
  assert.ok(body.paths['/data/reports/{type}/jobs/{id}'].delete);
  assert.ok(body.paths['/data/reports/{type}/files/{id}'].get);
  for (const path of ['/task/list', '/task/show', '/task/dismiss']) assert.ok(body.paths[path].post, path);
});

test('a background statement is sized to the budget from what the last one took, at most doubling, within 10 and the most asked', () => {
  assert.equal(nextBatchSize(100, 10, 5000), 200); // fast: doubled, not quadrupled
  assert.equal(nextBatchSize(1000, 80, 5000), 500); // twice the budget: halved
  assert.equal(nextBatchSize(4000, 20, 5000), 5000); // never past the most asked
  assert.equal(nextBatchSize(50, 10_000, 5000), 10); // however slow, a batch reads something
  assert.equal(nextBatchSize(2, 1, 2), 2); // a smaller most asked (tests) is kept
});
