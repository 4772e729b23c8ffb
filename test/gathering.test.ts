import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GATHERING_PREFIXES } from '../src/app.ts';
import { purgeExpiredResults } from '../src/gathering/gathering.queries.ts';
import { importRuleContent } from '../src/gathering/rules-import.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

const CLUSTER = '5d5892d3-1f74-4ccf-91af-548dfc9767aa';
const OTHER_CLUSTER = 'a7467445-8d6a-43cc-b82c-7007664bdf69';
const NANOS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const DAY_MS = 86_400_000;

let clock = new Date('2026-11-25T12:00:00Z');
let app: TestApp;
let pipeline: Record<string, string>;
let reader: Record<string, string>;

const identity = (orgId: unknown, internal = false) => ({
  'x-rh-identity': Buffer.from(
    JSON.stringify({ identity: internal ? { internal: { org_id: orgId } } : { org_id: orgId, type: 'User' } }),
  ).toString('base64'),
});
const org111 = identity('111');

function results(
  requestId: string,
  overrides: Record<string, unknown> = {},
  reports = [
    { component: 'ccx_rules_ocp.external.rules.nodes_requirements_check.report', key: 'NODES_MINIMUM_REQUIREMENTS_NOT_MET', details: {} },
    { component: 'ccx_rules_ocp.external.bug_rules.bug_1766907.report', key: 'BUGZILLA_BUG_1766907' },
    { component: 'ccx_rules_ocp.external.rules.uncatalogued.report', key: 'NOT_IN_CATALOGUE' },
  ],
) {
  return {
    OrgID: 111,
    AccountNumber: 222,
    ClusterName: CLUSTER,
    RequestId: requestId,
    LastChecked: '2026-11-25T11:00:00Z',
    Metadata: { gathering_time: '2026-11-25T10:30:00.123456789Z' },
    Report: { reports, fingerprints: [], skips: [], info: [] },
    ...overrides,
  };
}

const storeResults = (body: unknown, headers = pipeline) => request(`${app.url}/v1/results`, { headers, body });
const get = (path: string, headers: Record<string, string> = org111) => request(`${app.url}${path}`, { headers });

before(async () => {
  app = await startTestApp({ now: () => clock });
  pipeline = bearer(await app.token(['results:write'], 'pipeline'));
  reader = bearer(await app.token(['gathering:read'], '111'));
  await importRuleContent(app.database.db, [
    {
      rule_fqdn: 'ccx_rules_ocp.external.rules.nodes_requirements_check',
      error_key: 'NODES_MINIMUM_REQUIREMENTS_NOT_MET',
      description: 'Nodes are too small',
      total_risk: 2,
    },
    {
      rule_fqdn: 'ccx_rules_ocp.external.bug_rules.bug_1766907',
      error_key: 'BUGZILLA_BUG_1766907',
      description: 'Bug 1766907 hits',
      total_risk: 3,
    },
  ]);
});
after(() => app.close());
beforeEach(() => {
  clock = new Date('2026-11-25T12:00:00Z');
});

describe('POST /v1/results', () => {
  test('needs a token with results:write', async () => {
    assert.equal((await storeResults(results('r1'), {})).status, 401);
    assert.equal((await storeResults(results('r1'), reader)).status, 403);
  });

  test('a rule component or key longer than 256 characters is a 400 naming it and its maximum (they are indexed)', async () => {
    const long = 'x'.repeat(3000);
    const { status, body } = await storeResults([
      results('long1', {}, [{ component: long, key: 'K' }]),
      results('long2', {}, [
        { component: 'c.report', key: 'K' },
        { component: 'c.report', key: long },
      ]),
    ]);
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors.map((error: { index: number; field: string; reason: string }) => `${error.index} ${error.field} ${error.reason}`),
      ['0 Report.reports.0.component must be at most 256 characters long', '1 Report.reports.1.key must be at most 256 characters long'],
    );
  });

  test('one message, an array, or NDJSON', async () => {
    assert.deepEqual((await storeResults(results('single1'))).body, { stored: 1 });
    assert.deepEqual((await storeResults([results('array1'), results('array2')])).body, { stored: 2 });
    const ndjson = await request(`${app.url}/v1/results`, {
      headers: { ...pipeline, 'content-type': 'application/x-ndjson' },
      raw: `${JSON.stringify(results('ndjson1'))}\n${JSON.stringify(results('ndjson2'))}\n`,
    });
    assert.deepEqual(ndjson.body, { stored: 2 });
  });

  test('all or nothing: each bad message is named by index and field', async () => {
    const { status, body } = await storeResults([
      results('good1'),
      results('bad-id'),
      results('good2', { ClusterName: 'not-a-uuid' }),
      results('good3', { Metadata: {}, LastChecked: undefined }),
      results('good4', {}, [{ component: 'x.report' } as never]),
      results('good5', { OrgID: 'abc' }),
    ]);
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors.map((error: { index: number; field: string }) => `${error.index}.${error.field}`),
      ['1.RequestId', '2.ClusterName', '3.Metadata.gathering_time', '4.Report.reports.0', '5.OrgID'],
    );
    assert.equal((await get(`/cluster/${CLUSTER}/request/good1/status`)).status, 404);
  });
});

describe('GET /cluster/{clusterID}/request/{requestID}/status', () => {
  test('404 until the results are stored, then 200 processed, under both path forms', async () => {
    for (const prefix of GATHERING_PREFIXES) {
      assert.equal((await get(`${prefix}/cluster/${CLUSTER}/request/status1/status`)).status, 404);
    }
    await storeResults(results('status1'));
    for (const prefix of GATHERING_PREFIXES) {
      const { status, body } = await get(`${prefix}/cluster/${CLUSTER}/request/status1/status`);
      assert.equal(status, 200);
      assert.deepEqual(body, { cluster: CLUSTER, requestID: 'status1', status: 'processed' });
    }
  });

  test('a bearer token with gathering:read, or the org in identity.internal, works too', async () => {
    await storeResults(results('status2'));
    assert.equal((await get(`/cluster/${CLUSTER}/request/status2/status`, reader)).status, 200);
    assert.equal((await get(`/cluster/${CLUSTER}/request/status2/status`, identity('111', true))).status, 200);
  });

  test('another org sees the cluster as unknown', async () => {
    await storeResults(results('status3'));
    const { status, body } = await get(`/cluster/${CLUSTER}/request/status3/status`, identity('999'));
    assert.equal(status, 404);
    assert.equal(typeof body.status, 'string');
    const otherToken = bearer(await app.token(['gathering:read'], '999'));
    assert.equal((await get(`/cluster/${CLUSTER}/request/status3/status`, otherToken)).status, 404);
  });

  test('missing, undecodable or insufficient credentials: 403 {status}', async () => {
    const path = `/cluster/${CLUSTER}/request/status1/status`;
    for (const headers of [
      {},
      { 'x-rh-identity': 'not base64 json' },
      identity(undefined),
      bearer('trk_unknown'),
      bearer(await app.token(['statuses:write'], '111')),
    ]) {
      const { status, body } = await get(path, headers);
      assert.equal(status, 403, JSON.stringify(headers));
      assert.deepEqual(Object.keys(body), ['status']);
    }
  });

  test('a cluster ID that is not a UUID, or a request ID that is not letters and digits: 400 {status}', async () => {
    const badCluster = await get('/cluster/not-a-uuid/request/abc/status');
    assert.equal(badCluster.status, 400);
    assert.match(badCluster.body.status, /clusterID: must be a UUID/);
    const badRequest = await get(`/cluster/${CLUSTER}/request/abc-def/status`);
    assert.equal(badRequest.status, 400);
    assert.match(badRequest.body.status, /requestID: must be 1 to 64 letters and digits/);
  });
});

describe('GET /cluster/{clusterID}/requests', () => {
  const cluster = 'c1c1c1c1-0000-4000-8000-000000000001';

  test('the stored requests, newest gathering first, with and without the trailing slash', async () => {
    assert.equal((await get(`/cluster/${cluster}/requests`)).status, 404);
    await storeResults([
      results('older', { ClusterName: cluster, Metadata: { gathering_time: '2026-11-25T08:00:00Z' } }),
      results('newer', { ClusterName: cluster, Metadata: { gathering_time: '2026-11-25T09:00:00Z' } }),
    ]);
    for (const path of [
      `/cluster/${cluster}/requests`,
      `/cluster/${cluster}/requests/`,
      `/api/insights-results-aggregator/v2/cluster/${cluster}/requests/`,
    ]) {
      const { status, body } = await get(path);
      assert.equal(status, 200, path);
      assert.equal(body.cluster, cluster);
      assert.equal(body.status, 'ok');
      assert.deepEqual(
        body.requests.map((row: { requestID: string }) => row.requestID),
        ['newer', 'older'],
      );
      const [newest] = body.requests;
      assert.equal(newest.valid, true);
      assert.equal(newest.received, '2026-11-25T09:00:00.000000000Z');
      assert.equal(newest.processed, '2026-11-25T12:00:00.000000000Z');
      assert.match(newest.processed, NANOS);
    }
  });

  test('another org: 404', async () => {
    assert.equal((await get(`/cluster/${cluster}/requests`, identity('5'))).status, 404);
  });
});

describe('POST /cluster/{clusterID}/requests', () => {
  const cluster = 'c2c2c2c2-0000-4000-8000-000000000002';
  const ask = (body: unknown, path = `/cluster/${cluster}/requests`) =>
    request(`${app.url}${path}`, { method: 'POST', headers: org111, body });

  test('one entry per ID in the order asked; unknown ones invalid with empty times', async () => {
    await storeResults([results('known1', { ClusterName: cluster }), results('known2', { ClusterName: cluster })]);
    for (const path of [`/cluster/${cluster}/requests`, `/cluster/${cluster}/requests/`]) {
      const { status, body } = await ask(['unknown9', 'known2', 'known1', 'known2'], path);
      assert.equal(status, 200);
      assert.equal(body.status, 'ok');
      assert.deepEqual(
        body.requests.map((row: { requestID: string; valid: boolean }) => `${row.requestID}:${row.valid}`),
        ['unknown9:false', 'known2:true', 'known1:true', 'known2:true'],
      );
      assert.deepEqual(body.requests[0], { requestID: 'unknown9', valid: false, received: '', processed: '' });
      assert.match(body.requests[1].received, NANOS);
    }
  });

  test('an unknown cluster answers every ID as invalid', async () => {
    const { status, body } = await ask(['a1'], `/cluster/${OTHER_CLUSTER}/requests`);
    assert.equal(status, 200);
    assert.equal(body.requests[0].valid, false);
  });

  test('a body that is not an array of valid IDs, or too long: 400 {status}', async () => {
    for (const body of [{ ids: ['a'] }, 'known1', ['ok1', 'bad-id'], [1, 2]]) {
      const answer = await ask(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.deepEqual(Object.keys(answer.body), ['status']);
    }
    const missing = await request(`${app.url}/cluster/${cluster}/requests`, { method: 'POST', headers: org111 });
    assert.equal(missing.status, 400);
    const tooMany = await ask(Array.from({ length: 101 }, (_, index) => `r${index}`));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.status, /at most 100/);
  });
});

describe('GET /cluster/{clusterID}/request/{requestID}/report', () => {
  test('the rules that hit with their descriptions and risks; hits without content are left out', async () => {
    await storeResults(results('report1'));
    for (const prefix of GATHERING_PREFIXES) {
      const { status, body } = await get(`${prefix}/cluster/${CLUSTER}/request/report1/report`);
      assert.equal(status, 200);
      assert.deepEqual(body, {
        cluster: CLUSTER,
        requestID: 'report1',
        status: 'processed',
        report: [
          {
            rule_fqdn: 'ccx_rules_ocp.external.bug_rules.bug_1766907',
            error_key: 'BUGZILLA_BUG_1766907',
            description: 'Bug 1766907 hits',
            total_risk: 3,
          },
          {
            rule_fqdn: 'ccx_rules_ocp.external.rules.nodes_requirements_check',
            error_key: 'NODES_MINIMUM_REQUIREMENTS_NOT_MET',
            description: 'Nodes are too small',
            total_risk: 2,
          },
        ],
      });
    }
  });

  test('nothing hit: an empty report, not null', async () => {
    await storeResults(results('report2', { Report: { reports: [] } }));
    await storeResults(results('report3', { Report: null }));
    for (const id of ['report2', 'report3']) {
      const { status, body } = await get(`/cluster/${CLUSTER}/request/${id}/report`);
      assert.equal(status, 200);
      assert.deepEqual(body.report, []);
    }
  });

  test('results stored again replace the earlier hits', async () => {
    await storeResults(results('report4'));
    await storeResults(
      results('report4', {}, [{ component: 'ccx_rules_ocp.external.bug_rules.bug_1766907.report', key: 'BUGZILLA_BUG_1766907' }]),
    );
    const { body } = await get(`/cluster/${CLUSTER}/request/report4/report`);
    assert.deepEqual(
      body.report.map((hit: { error_key: string }) => hit.error_key),
      ['BUGZILLA_BUG_1766907'],
    );
  });

  test('unknown request or another org: 404; malformed IDs: 400', async () => {
    assert.equal((await get(`/cluster/${CLUSTER}/request/nosuch/report`)).status, 404);
    await storeResults(results('report5'));
    assert.equal((await get(`/cluster/${CLUSTER}/request/report5/report`, identity('2'))).status, 404);
    assert.equal((await get(`/cluster/123/request/report5/report`)).status, 400);
    assert.equal((await get(`/cluster/${CLUSTER}/request/a_b/report`)).status, 400);
  });
});

describe('expiry after GATHERING_TTL (24 hours)', () => {
  test('results answer for 24 hours after they are stored, then read as unknown and are purged', async () => {
    const cluster = 'e1e1e1e1-0000-4000-8000-000000000001';
    await storeResults(results('expiring', { ClusterName: cluster }));
    const stored = clock.getTime();
    clock = new Date(stored + DAY_MS);
    assert.equal((await get(`/cluster/${cluster}/request/expiring/status`)).status, 200);
    clock = new Date(stored + DAY_MS + 1);
    assert.equal((await get(`/cluster/${cluster}/request/expiring/status`)).status, 404);
    assert.equal((await get(`/cluster/${cluster}/request/expiring/report`)).status, 404);
    assert.equal((await get(`/cluster/${cluster}/requests`)).status, 404);
    const asked = await request(`${app.url}/cluster/${cluster}/requests`, { method: 'POST', headers: org111, body: ['expiring'] });
    assert.equal(asked.body.requests[0].valid, false);
    const purged = await purgeExpiredResults(app.database.db, new Date(clock.getTime() - DAY_MS));
    assert.ok(purged >= 1);
    clock = new Date(stored);
    assert.equal((await get(`/cluster/${cluster}/request/expiring/status`)).status, 404, 'purged for good');
  });
});

test("the Insights Operator's loop: poll status until processed, then fetch the report", async () => {
  const cluster = 'f0f0f0f0-0000-4000-8000-00000000000f';
  const requestId = '0123456789abcdef0123456789abcdef';
  const statusUrl = `/api/insights-results-aggregator/v2/cluster/${cluster}/request/${requestId}/status`;
  const answers: number[] = [];
  let polls = 0;
  // The operator polls; after its third poll the pipeline stores the results.
  for (;;) {
    const { status, body } = await get(statusUrl);
    answers.push(status);
    if (status === 200) {
      assert.equal(body.status, 'processed');
      break;
    }
    assert.equal(status, 404);
    if (++polls === 3) await storeResults(results(requestId, { ClusterName: cluster }));
    assert.ok(polls < 10, 'the operator would give up');
  }
  assert.deepEqual(answers, [404, 404, 404, 200]);
  const { status, body } = await get(`/api/insights-results-aggregator/v2/cluster/${cluster}/request/${requestId}/report`);
  assert.equal(status, 200);
  assert.deepEqual(
    body.report.map((hit: { error_key: string; total_risk: number; description: string }) => [
      hit.error_key,
      hit.total_risk,
      hit.description,
    ]),
    [
      ['BUGZILLA_BUG_1766907', 3, 'Bug 1766907 hits'],
      ['NODES_MINIMUM_REQUIREMENTS_NOT_MET', 2, 'Nodes are too small'],
    ],
  );
});

test('the OpenAPI document lists the gathering routes once, under its tag, naming the alias prefix', async () => {
  const { body } = await request(`${app.url}/openapi.json`);
  const operations = [
    body.paths['/cluster/{clusterID}/request/{requestID}/status']?.get,
    body.paths['/cluster/{clusterID}/requests']?.get,
    body.paths['/cluster/{clusterID}/requests']?.post,
    body.paths['/cluster/{clusterID}/request/{requestID}/report']?.get,
    body.paths['/v1/results']?.post,
  ];
  for (const operation of operations) assert.deepEqual(operation?.tags, ['gathering']);
  assert.ok(!Object.keys(body.paths).some((path) => path.startsWith(GATHERING_PREFIXES[1])), 'the alias is not listed again');
  assert.match(body.info.description, new RegExp(`${GATHERING_PREFIXES[1]}/…\` serves \`/…`));
});
