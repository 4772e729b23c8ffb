import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallerLookup } from '../src/auth/caller-lookup.ts';
import { listTokens, revokeToken } from '../src/auth/tokens.ts';
import { checkExposure, loadConfig } from '../src/config.ts';
import { bearer, request, startTestApp, TEST_NOW, type TestApp } from './helpers.ts';

const A = 'aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'bbbb2222bbbb2222bbbb2222bbbb2222';
const CLUSTER = '5d5892d3-1f74-4ccf-91af-548dfc9767aa';
let app: TestApp;
let producerA: Record<string, string>;

const identity = (body: Record<string, unknown>) => ({
  'x-rh-identity': Buffer.from(JSON.stringify({ identity: body })).toString('base64'),
});
const userOf = (org: string) => identity({ type: 'User', org_id: org });
const associate = identity({ type: 'Associate', associate: { Role: ['platform-archive-download'] } });

before(async () => {
  app = await startTestApp({
    env: { READ_ACCESS: 'authenticated', IDENTITY_HEADER: 'trust', KIBANA_URL: 'https://kibana.example/', TOKEN_CACHE_SECONDS: '1' },
  });
  producerA = bearer(await app.token(['statuses:write'], 'org-a', 'producer', { allOrgs: false }));
  const platform = bearer(await app.token(['statuses:write'], 'platform'));
  const event = (requestId: string, org: string, status: string) => ({
    request_id: requestId,
    service: 'puptoo',
    status,
    date: '2026-11-26T10:00:00Z',
    org_id: org,
  });
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: producerA, body: event(A, 'org-a', 'success') })).status, 200);
  assert.equal((await request(`${app.url}/v1/statuses`, { headers: platform, body: event(B, 'org-b', 'error') })).status, 200);
});
after(() => app.close());

const get = (path: string, headers: Record<string, string> = {}) => request(`${app.url}${path}`, { headers });
const requestIds = (body: { data: { request_id: string }[] }) => body.data.map((row) => row.request_id).sort();

describe('READ_ACCESS=authenticated', () => {
  const reads = [
    '/v1/payloads',
    `/v1/payloads/${A}`,
    '/v1/statuses',
    '/v1/stats',
    `/v1/payloads/${A}/kibanaLink`,
    '/app/payload-tracker/api/v1/payloads',
  ];

  test('every read needs a token with payloads:read or an identity: 401 without', async () => {
    for (const path of reads) {
      const { status, body } = await get(path);
      assert.equal(status, 401, path);
      assert.match(body.message, /payloads:read or an x-rh-identity/);
    }
    const writer = bearer(await app.token(['data-reports:read'], 'org-a'));
    assert.equal((await get('/v1/payloads', writer)).status, 403);
  });

  test("a token sees only its org's payloads, statuses, counts and stats", async () => {
    const reader = bearer(await app.token(['payloads:read'], 'org-a'));
    const payloads = await get('/v1/payloads', reader);
    assert.deepEqual([payloads.body.count, requestIds(payloads.body)], [1, [A]]);
    assert.equal((await get('/v1/payloads?org_id=org-b', reader)).body.count, 0);
    const statuses = await get('/v1/statuses', reader);
    assert.deepEqual([statuses.body.count, requestIds(statuses.body)], [1, [A]]);
    assert.deepEqual(Object.keys((await get('/v1/stats', reader)).body.data), ['puptoo']);
    assert.deepEqual((await get('/v1/stats', reader)).body.data.puptoo.error, 0);
    assert.equal((await get(`/v1/payloads/${A}`, reader)).status, 200);
    assert.equal((await get(`/v1/payloads/${B}`, reader)).status, 404);
    assert.equal((await get(`/v1/payloads/${B}/kibanaLink`, reader)).status, 404);
    assert.equal((await get(`/v1/statuses?request_id=${B}`, reader)).body.count, 0);
  });

  test("a user identity sees its org's; an associate and an all-orgs token see every org's", async () => {
    assert.deepEqual(requestIds((await get('/v1/payloads', userOf('org-b'))).body), [B]);
    assert.equal((await get(`/v1/payloads/${A}`, userOf('org-b'))).status, 404);
    assert.deepEqual(requestIds((await get('/v1/payloads', associate)).body), [A, B]);
    const everyOrg = bearer(await app.token(['payloads:read'], 'ops', 'ops', { allOrgs: true }));
    assert.deepEqual(requestIds((await get('/v1/statuses', everyOrg)).body), [A, B]);
    assert.deepEqual(Object.values((await get('/v1/stats', everyOrg)).body.data), [
      { success: 1, error: 1, success_percent: 50, error_percent: 50 },
    ]);
  });

  test('an expired or revoked token is a 401; a revoked one once the server forgets it (TOKEN_CACHE_SECONDS)', async () => {
    const expired = bearer(await app.token(['payloads:read'], 'org-a', 'old', { expiresAt: new Date(Date.now() - 1000) }));
    assert.equal((await get('/v1/payloads', expired)).status, 401);
    const token = await app.token(['payloads:read'], 'org-a', 'leaving');
    assert.equal((await get('/v1/payloads', bearer(token))).status, 200);
    const listed = (await listTokens(app.database.db)).find((row) => row.user_name === 'leaving')!;
    assert.ok(!JSON.stringify(listed).includes(token), 'no secret in the listing');
    await revokeToken(app.database.db, listed.id, TEST_NOW);
    assert.equal((await get('/v1/payloads', bearer(token))).status, 200, 'still remembered');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const revoked = await get('/v1/payloads', bearer(token));
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.message, /unknown, expired or revoked/);
  });

  test('an identity naming an org_id longer than 64 characters is a 400 (org IDs are indexed)', async () => {
    const { status, body } = await request(`${app.url}/v1/payloads`, { headers: userOf('9'.repeat(65)) });
    assert.equal(status, 400);
    assert.match(body.message, /org_id must be at most 64 characters long/);
  });

  test('a token is remembered no longer than it lives', async () => {
    const callers = new CallerLookup(app.database.db, 60_000);
    const token = await app.token(['payloads:read'], 'org-a', 'brief', { expiresAt: new Date(Date.now() + 500) });
    assert.equal((await callers.find(token))?.userName, 'brief');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(await callers.find(token), undefined);
  });
});

describe('producer tokens bound to their org', () => {
  const event = (requestId: string, org?: string) => ({
    request_id: requestId,
    service: 'ingress',
    status: 'received',
    date: '2026-11-26T11:00:00Z',
    ...(org ? { org_id: org } : {}),
  });
  const post = (body: unknown) => request(`${app.url}/v1/statuses`, { headers: producerA, body });

  test("another org's events: 403 when all are foreign, else 400 naming each; nothing stored", async () => {
    const foreign = await post([event('c0000000000000000000000000000001', 'org-b')]);
    assert.equal(foreign.status, 403);
    const mixed = await post([event('c0000000000000000000000000000002', 'org-a'), event('c0000000000000000000000000000003', 'org-b')]);
    assert.equal(mixed.status, 400);
    assert.deepEqual(
      mixed.body.errors.map((error: { index: number; field: string }) => [error.index, error.field]),
      [[1, 'org_id']],
    );
    assert.equal((await get('/v1/payloads/c0000000000000000000000000000002', associate)).status, 404);
  });

  test("an event for a payload another org holds is refused; one naming no org is the producer's", async () => {
    const hijack = await post([event(B, 'org-a')]);
    assert.equal(hijack.status, 403);
    assert.equal(hijack.body.errors[0].field, 'request_id');
    assert.equal((await post([event('c0000000000000000000000000000004')])).status, 200);
    const stored = await get('/v1/payloads?org_id=org-a', associate);
    assert.ok(requestIds(stored.body).includes('c0000000000000000000000000000004'));
  });

  test("a results:write token bound to an org stores that org's results only", async () => {
    const pipeline = bearer(await app.token(['results:write'], '111', 'pipeline', { allOrgs: false }));
    const result = (org: number) => ({ OrgID: org, ClusterName: CLUSTER, RequestId: A, LastChecked: '2026-11-26T10:00:00Z' });
    assert.equal((await request(`${app.url}/v1/results`, { headers: pipeline, body: result(111) })).status, 200);
    const foreign = await request(`${app.url}/v1/results`, { headers: pipeline, body: result(222) });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.errors[0].field, 'OrgID');
  });
});

describe('IDENTITY_HEADER=ignore', () => {
  test('the identity header is not believed anywhere: reads, gathering, archive links', async () => {
    const strict = await startTestApp({ env: { READ_ACCESS: 'authenticated', IDENTITY_HEADER: 'ignore' } });
    try {
      const read = await request(`${strict.url}/v1/payloads`, { headers: associate });
      assert.equal(read.status, 401);
      assert.equal(read.body.message, 'reading needs a bearer token with payloads:read');
      const gathering = await request(`${strict.url}/cluster/${CLUSTER}/requests`, { headers: userOf('111') });
      assert.deepEqual([gathering.status, gathering.body.status], [403, 'a bearer token with gathering:read is required']);
      assert.equal((await request(`${strict.url}/v1/roles/archiveLink`, { headers: associate })).status, 401);
    } finally {
      await strict.close();
    }
  });
});

test('on an address others can reach, serving needs READ_ACCESS and IDENTITY_HEADER set explicitly', () => {
  assert.throws(
    () => checkExposure(loadConfig({ HOST: '0.0.0.0' })),
    /HOST 0\.0\.0\.0 can be reached from other machines, so set READ_ACCESS/,
  );
  assert.throws(() => checkExposure(loadConfig({ HOST: '10.0.0.5', READ_ACCESS: 'open' })), /IDENTITY_HEADER/);
  assert.doesNotThrow(() => checkExposure(loadConfig({ HOST: '0.0.0.0', READ_ACCESS: 'open', IDENTITY_HEADER: 'trust' })));
  assert.doesNotThrow(() => checkExposure(loadConfig({})));
  assert.doesNotThrow(() => checkExposure(loadConfig({ HOST: '::1' })));
  assert.throws(() => loadConfig({ READ_ACCESS: 'closed' }), /READ_ACCESS must be open or authenticated, not "closed"/);
});
