import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
let writer: Record<string, string>;
let reader: Record<string, string>;
const NOW = new Date('2026-11-25T12:00:00.123456Z');
const BASE = '/api/v1/reports/schedules';

const attrs = (overrides: Record<string, unknown> = {}) => ({
  name: 'one_shot_generic',
  type: 'generic',
  schedule: 'daily',
  timezone: 'Europe/Rome',
  hosts: ['11111111-2222-3333-4444-555555555555'],
  send_to: ['test@test.it'],
  send_via: 'email',
  ...overrides,
});

before(async () => {
  app = await startTestApp({ now: () => NOW, renderReports: false });
  writer = bearer(await app.token(['data-reports:read', 'data-reports:write'], 'org-s', 'username'));
  reader = bearer(await app.token(['data-reports:read'], 'org-s', 'viewer'));
});
after(() => app.close());

const create = (body: unknown, headers = writer) => request(`${app.url}${BASE}`, { method: 'POST', headers, body });
const list = (query: string, headers = reader) => request(`${app.url}${BASE}?${query}`, { headers });

describe('next runs', () => {
  // Months end at Rome's midnight: an hour earlier in UTC once summer time starts (29 March 2027).
  const ROME_MONTHS = [
    '2026-11-30T23:00:00Z',
    '2026-12-31T23:00:00Z',
    '2027-01-31T23:00:00Z',
    '2027-02-28T23:00:00Z',
    '2027-03-31T22:00:00Z',
  ];

  test('a schedule shows its next five runs, exact across a DST change, and its last task once it ran', async () => {
    const { body } = await create({ attrs: attrs({ name: 'monthly', schedule: 'monthly' }) });
    assert.deepEqual(body.data.schedule.next_runs, ROME_MONTHS);
    const run = await request(`${app.url}${BASE}/${body.data.schedule.id}/run`, { method: 'POST', headers: writer });
    const shown = await request(`${app.url}${BASE}/${body.data.schedule.id}`, { headers: reader });
    assert.deepEqual(shown.body.data.schedule.last_task, {
      task_id: run.body.data.task_id,
      state: 'In Progress',
      started: '2026-11-25T12:00:00Z',
      finished: null,
    });
  });

  test('POST /preview gives the runs the scheduler would make, before a schedule is saved', async () => {
    const preview = (body: unknown) => request(`${app.url}${BASE}/preview`, { headers: reader, body });
    const { status, body } = await preview({ schedule: 'monthly', timezone: 'Europe/Rome' });
    assert.equal(status, 200);
    assert.deepEqual(body.data.next_runs, ROME_MONTHS);
    const unknown = await preview({ schedule: 'weekly', timezone: 'Mars/Olympus' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.message, 'Error previewing schedule: timezone: is not a time zone PostgreSQL knows: "Mars/Olympus"');
    // The bad fields one by one too, for a form to show each under its field.
    assert.deepEqual(unknown.body.errors, [{ field: 'timezone', reason: 'is not a time zone PostgreSQL knows: "Mars/Olympus"' }]);
  });
});

describe('creating and reading', () => {
  test('POST creates a schedule as the spec shows it', async () => {
    const { status, body } = await create({ attrs: attrs() });
    assert.equal(status, 200);
    assert.equal(body.message, 'Report schedule created succesfully');
    assert.equal(body.status, 'ok');
    const schedule = body.data.schedule;
    assert.match(schedule.id, /^\d+$/);
    assert.deepEqual(
      { ...schedule, id: 'ID' },
      {
        id: 'ID',
        name: 'one_shot_generic',
        type: 'generic',
        schedule: 'daily',
        timezone: 'Europe/Rome',
        hosts: ['11111111-2222-3333-4444-555555555555'],
        services: null,
        send_to: ['test@test.it'],
        send_via: 'email',
        format: 'csv',
        scheduled_by: 'username',
        scheduled_at: 1795608000123000,
        start_timestamp: null,
        end_timestamp: null,
        // Each day runs when it ends at Rome's midnight.
        next_runs: ['2026-11-25T23:00:00Z', '2026-11-26T23:00:00Z', '2026-11-27T23:00:00Z', '2026-11-28T23:00:00Z', '2026-11-29T23:00:00Z'],
        last_task: null,
      },
    );
    const shown = await request(`${app.url}${BASE}/${schedule.id}`, { headers: reader });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.message, 'Report schedule retrieved');
    assert.deepEqual(shown.body.data.schedule, schedule);
  });

  const refusals: [Record<string, unknown>, RegExp][] = [
    [attrs({ name: '' }), /name: must not be empty/],
    [attrs({ name: '   ' }), /name: must be a name that is not only white space/],
    [attrs({ type: 'weekly-summary' }), /type: must be one of statuses, payloads, success-rate, generic/],
    [attrs({ schedule: 'hourly' }), /schedule: must be one of daily, weekly, monthly/],
    [attrs({ timezone: 'Europe/Atlantis' }), /timezone: "Europe\/Atlantis" is not an IANA time zone name/],
    [attrs({ send_to: ['not-an-address'] }), /send_to\.0: must be an e-mail address, not "not-an-address"/],
    [attrs({ send_to: [] }), /send_to: must hold at least 1 entry/],
    [attrs({ send_via: 'pigeon' }), /send_via: must be email/],
    [
      attrs({ hosts: ['not a host!'] }),
      /hosts\.0: must be a host name, or an inventory, system or cluster ID \(a UUID\), not "not a host!"/,
    ],
    [attrs({ format: 'pdf' }), /format: must be one of csv, json, json_bulk/],
    [
      attrs({ colour: 'blue' }),
      /colour: is not a field here; they are name, type, schedule, timezone, hosts, services, send_to, send_via, format/,
    ],
    [{ attrs: { name: 'x' } }, /type: is required/],
    [{ attrs: 'nope' }, /attrs: must be an object/],
    [{ attrs: undefined, name: 'no attrs around it' }, /attrs: is required/],
  ];
  for (const [body, message] of refusals) {
    test(`refused: ${message.source}`, async () => {
      const answer = await create('attrs' in body ? body : { attrs: body });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.status, 'error');
      assert.match(answer.body.message, /^Error creating new schedule: /);
      assert.match(answer.body.message, message);
    });
  }

  test("the spec's example body, host names and all, is taken", async () => {
    const { status, body } = await create({
      attrs: {
        name: 'one_shot_generic',
        type: 'generic',
        schedule: 'daily',
        timezone: 'Europe/Rome',
        hosts: ['www.service-test-host.it'],
        send_to: ['test@test.it'],
        send_via: 'email',
      },
    });
    assert.equal(status, 200);
    assert.deepEqual(body.data.schedule.hosts, ['www.service-test-host.it']);
  });

  test('several bad attributes are all named', async () => {
    const { status, body } = await create({ attrs: attrs({ schedule: 'hourly', send_to: ['x'], colour: 'blue', timezone: 'Mars/Base' }) });
    assert.equal(status, 400);
    assert.equal(
      body.message,
      'Error creating new schedule: colour: is not a field here; they are name, type, schedule, timezone, hosts, services, send_to, send_via, format; ' +
        'schedule: must be one of daily, weekly, monthly; send_to.0: must be an e-mail address, not "x"; ' +
        'timezone: "Mars/Base" is not an IANA time zone name',
    );
  });

  test('without a token 401; without data-reports:write 403; another org sees 404', async () => {
    assert.equal((await create({ attrs: attrs() }, {})).status, 401);
    assert.equal((await create({ attrs: attrs() }, reader)).status, 403);
    const { body } = await create({ attrs: attrs({ name: 'mine' }) });
    const other = bearer(await app.token(['data-reports:read', 'data-reports:write'], 'org-other'));
    assert.equal((await request(`${app.url}${BASE}/${body.data.schedule.id}`, { headers: other })).status, 404);
    assert.equal(
      (await request(`${app.url}${BASE}/${body.data.schedule.id}`, { method: 'PUT', headers: other, body: { attrs: { name: 'x' } } }))
        .status,
      404,
    );
    const deleted = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: other,
      body: { schedules_ids: [body.data.schedule.id] },
    });
    assert.equal(deleted.status, 404);
    assert.equal((await list('paginate=false', other)).body.data.registries.length, 0);
    assert.equal((await request(`${app.url}${BASE}/${body.data.schedule.id}`, { headers: reader })).status, 200);
  });
});

describe('listing', () => {
  before(async () => {
    await create({ attrs: attrs({ name: 'Weekly Errors', type: 'statuses', schedule: 'weekly', send_to: ['a@b.it'] }) });
    await create({ attrs: attrs({ name: 'monthly rates', type: 'success-rate', schedule: 'monthly', services: ['Puptoo'] }) });
  });

  test('paginate is required, and page and page_size with it', async () => {
    for (const query of [
      '',
      'paginate=yes',
      'paginate=true',
      'paginate=true&page=1',
      'paginate=true&page=0&page_size=10',
      'paginate=true&page=1&page_size=1000',
    ]) {
      const { status, body } = await list(query);
      assert.equal(status, 400, query);
      assert.match(body.message, /^Error with pagination fields/);
    }
  });

  test('pages count from 1; data.count is every match', async () => {
    const first = await list('paginate=true&page=1&page_size=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.message, 'List of report schedules');
    assert.equal(first.body.data.registries.length, 2);
    assert.ok(first.body.data.count >= 4);
    const second = await list('paginate=true&page=2&page_size=2');
    assert.notDeepEqual(second.body.data.registries[0].id, first.body.data.registries[0].id);
    assert.equal('count' in (await list('paginate=false')).body.data, false);
  });

  test('every filter', async () => {
    const all = (await list('paginate=false')).body.data.registries;
    const names = async (query: string) =>
      (await list(`paginate=false&${query}`)).body.data.registries.map((s: { name: string }) => s.name);
    assert.deepEqual(await names('name=ERROR'), ['Weekly Errors']);
    assert.deepEqual(await names('type=success-rate'), ['monthly rates']);
    assert.deepEqual(await names('schedule=weekly'), ['Weekly Errors']);
    assert.deepEqual(await names(`id=${all[0].id}`), [all[0].name]);
    assert.deepEqual(await names(`id_list=${all[0].id},${all[1].id}`), [all[0].name, all[1].name]);
    assert.equal((await names('scheduled_by=username')).length, all.length);
    assert.deepEqual(await names('scheduled_by=nobody'), []);
    assert.equal((await names('scheduled_at_start=1795608000123000')).length, all.length);
    assert.deepEqual(await names('scheduled_at_start=1795608000123001'), []);
    assert.equal((await names('scheduled_at_end=1795608000123000')).length, all.length);
    assert.deepEqual(await names('scheduled_by_end=1795608000122999'), []);
    assert.deepEqual(await names('name=%25'), [], 'a % in the name is a character, not a wildcard');
    assert.equal((await list('paginate=false&id=abc')).status, 400);
    assert.equal((await list('paginate=false&scheduled_at_start=yesterday')).status, 400);
  });

  test('services are kept lower-cased', async () => {
    const [rates] = (await list('paginate=false&type=success-rate')).body.data.registries;
    assert.deepEqual(rates.services, ['puptoo']);
  });
});

describe('changing and deleting', () => {
  test('PUT changes the attributes given and keeps the rest', async () => {
    const { body } = await create({ attrs: attrs({ name: 'to change' }) });
    const id = body.data.schedule.id;
    const changed = await request(`${app.url}${BASE}/${id}`, {
      method: 'PUT',
      headers: writer,
      body: { attrs: { send_to: ['test@test.it', 'test2@test.it'], send_via: 'email' } },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.message, 'Report schedule updated succesfully');
    assert.deepEqual(changed.body.data.schedule, { ...body.data.schedule, send_to: ['test@test.it', 'test2@test.it'] });
    const refused = await request(`${app.url}${BASE}/${id}`, { method: 'PUT', headers: writer, body: { attrs: { schedule: 'yearly' } } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /^Error updating schedule: schedule: must be one of/);
    assert.equal(
      (await request(`${app.url}${BASE}/999999`, { method: 'PUT', headers: writer, body: { attrs: { name: 'x' } } })).status,
      404,
    );
  });

  test('DELETE registries deletes schedules; unknown IDs are refused whole', async () => {
    const a = (await create({ attrs: attrs({ name: 'delete a' }) })).body.data.schedule.id;
    const b = (await create({ attrs: attrs({ name: 'delete b' }) })).body.data.schedule.id;
    const refused = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: writer,
      body: { schedules_ids: [a, '999999'] },
    });
    assert.equal(refused.status, 404);
    assert.equal((await request(`${app.url}${BASE}/${a}`, { headers: reader })).status, 200);
    const bad = await request(`${app.url}/api/v1/reports/registries`, { method: 'DELETE', headers: writer, body: { ids: [a] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /^Error deleting report schedules: schedules_ids/);
    const deleted = await request(`${app.url}/api/v1/reports/registries`, {
      method: 'DELETE',
      headers: writer,
      body: { schedules_ids: [a, b] },
    });
    assert.deepEqual(deleted.body, { message: 'Schedules succesfully deleted', status: 'ok' });
    assert.equal((await request(`${app.url}${BASE}/${a}`, { headers: reader })).status, 404);
  });

  test('run now: a job for the last complete period and a task that names the schedule; deleting keeps the task with configuration_id 0', async () => {
    const schedule = (await create({ attrs: attrs({ name: 'test send', type: 'statuses' }) })).body.data.schedule;
    const run = await request(`${app.url}${BASE}/${schedule.id}/run`, { method: 'POST', headers: writer });
    assert.equal(run.status, 200);
    // An execution: the first and the last execution are now.
    const ran = (await request(`${app.url}${BASE}/${schedule.id}`, { headers: reader })).body.data.schedule;
    assert.deepEqual([ran.start_timestamp, ran.end_timestamp], [1795608000123000, 1795608000123000]);
    const job = await request(`${app.url}/data/reports/statuses/jobs/${run.body.data.job_id}`, { headers: reader });
    assert.deepEqual(job.body.job.timespan, { from: '2026-11-24T00:00:00', to: '2026-11-25T00:00:00' });
    const task = async () =>
      (await request(`${app.url}/task/show`, { headers: reader, body: { params: { task_id: run.body.data.task_id } } })).body.result.task;
    assert.equal((await task()).configuration_id, Number(schedule.id));
    assert.equal((await task()).configuration_name, 'test send');
    const listed = await request(`${app.url}/task/list`, { headers: reader, body: { params: { configuration_id: Number(schedule.id) } } });
    assert.deepEqual(
      listed.body.result.tasks.map((t: { task_id: number }) => t.task_id),
      [run.body.data.task_id],
    );
    await request(`${app.url}/api/v1/reports/registries`, { method: 'DELETE', headers: writer, body: { schedules_ids: [schedule.id] } });
    assert.equal((await task()).configuration_id, 0);
    assert.equal((await task()).configuration_name, 'test send');
  });
});

test('run now counts against the quota of unfinished jobs: 429 in the envelope', async () => {
  const limited = await startTestApp({ now: () => NOW, renderReports: false, env: { REPORT_MAX_UNFINISHED: '2' } });
  try {
    const headers = bearer(await limited.token(['data-reports:read', 'data-reports:write'], 'org-q'));
    const created = await request(`${limited.url}${BASE}`, { headers, body: { attrs: attrs({ type: 'statuses' }) } });
    const run = () => request(`${limited.url}${BASE}/${created.body.data.schedule.id}/run`, { method: 'POST', headers });
    assert.deepEqual([(await run()).status, (await run()).status], [200, 200]);
    const third = await run();
    assert.equal(third.status, 429);
    assert.deepEqual(third.body, { message: 'the org has 2 unfinished report jobs; at most 2 may wait at once', status: 'error' });
  } finally {
    await limited.close();
  }
});

test('the OpenAPI document lists the schedule routes', async () => {
  const { body } = await request(`${app.url}/openapi.json`);
  assert.ok(body.paths[BASE].get && body.paths[BASE].post);
  assert.ok(body.paths[`${BASE}/{schedule_id}`].get && body.paths[`${BASE}/{schedule_id}`].put);
  assert.ok(body.paths[`${BASE}/{schedule_id}/run`].post);
  assert.ok(body.paths['/api/v1/reports/registries'].delete);
});
