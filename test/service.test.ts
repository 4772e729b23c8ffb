import fs from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PAYLOAD_TRACKER_PREFIXES } from '../src/app.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
const NOW = new Date('2026-11-25T12:00:00Z');

before(async () => {
  app = await startTestApp({ now: () => NOW });
  const event = (service: string, status: string, date: string, index: number) => ({
    request_id: `c${String(index).padStart(31, '0')}`,
    service,
    status,
    date,
  });
  const events = [
    ...Array.from({ length: 3 }, (_, i) => event('puptoo', 'success', '2026-11-25T11:00:00Z', i)),
    event('puptoo', 'error', '2026-11-24T12:00:00Z', 3), // exactly 24 hours before: counted
    event('puptoo', 'error', '2026-11-24T11:59:59Z', 4), // older: not counted
    event('puptoo', 'received', '2026-11-25T11:00:00Z', 5), // neither success nor error
    event('inventory', 'error', '2026-11-25T10:00:00Z', 6),
    event('inventory', 'error', '2026-11-25T10:00:00Z', 7),
    event('ingress', 'success', '2026-11-25T10:00:00Z', 8),
  ];
  await request(`${app.url}/v1/statuses`, { headers: bearer(await app.token(['statuses:write'])), body: events });
});
after(() => app.close());

describe('GET /v1/stats', () => {
  test('SuccessRate: per service over the last 24 hours, with counts and percentages', async () => {
    const { status, body } = await request(`${app.url}/v1/stats?stat=SuccessRate`);
    assert.equal(status, 200);
    assert.equal(typeof body.message, 'string');
    assert.deepEqual(body.data, {
      ingress: { success: 1, error: 0, success_percent: 100, error_percent: 0 },
      inventory: { success: 0, error: 2, success_percent: 0, error_percent: 100 },
      puptoo: { success: 3, error: 1, success_percent: 75, error_percent: 25 },
    });
  });

  test('an unknown stat: 400', async () => {
    const unknown = await request(`${app.url}/v1/stats?stat=Throughput`);
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /must be SuccessRate/);
  });
});

describe('operations', () => {
  test('/whoami says who the credentials name: a token, a trusted identity, or none; an unknown token is a 401', async () => {
    const token = bearer(await app.token(['payloads:read', 'data-reports:read'], 'org-5', 'dana'));
    assert.deepEqual((await request(`${app.url}/whoami`, { headers: token })).body, {
      via: 'token',
      org_id: 'org-5',
      user: 'dana',
      all_orgs: false,
      scopes: ['payloads:read', 'data-reports:read'],
      archive_links: false,
      read_access: 'open',
    });
    const identity = Buffer.from(JSON.stringify({ identity: { type: 'User', org_id: '77', user: { username: 'eve' } } })).toString(
      'base64',
    );
    const viaIdentity = (await request(`${app.url}/whoami`, { headers: { 'x-rh-identity': identity } })).body;
    assert.deepEqual([viaIdentity.via, viaIdentity.org_id, viaIdentity.user, viaIdentity.all_orgs], ['identity', '77', 'eve', false]);
    assert.equal((await request(`${app.url}/whoami`)).body.via, 'none');
    assert.equal((await request(`${app.url}/whoami`, { headers: bearer('trk_unknown') })).status, 401);
  });

  test('/ leads to the console; any path under /ui/ is the console; unknown API paths stay JSON 404s', async () => {
    const root = await fetch(`${app.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/ui/');
    for (const path of ['/ui/', '/ui/payloads', '/ui/payloads/deep/link']) {
      const page = await fetch(`${app.url}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(page.headers.get('cache-control'), 'no-cache');
      assert.match(await page.text(), /<div id="root">/);
    }
    const missing = await request(`${app.url}/v1/no-such-thing`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.status, 404);
  });

  test('health answers 202 with a message at /health and under every prefix', async () => {
    for (const path of ['/health', ...PAYLOAD_TRACKER_PREFIXES.map((prefix) => `${prefix}/health`)]) {
      const { status, body } = await request(`${app.url}${path}`);
      assert.equal(status, 202, path);
      assert.equal(typeof body.message, 'string');
    }
  });

  test('/openapi.json lists every route once, grouped by API, at the package version; /docs serves a page', async () => {
    const { status, body } = await request(`${app.url}/openapi.json`);
    assert.equal(status, 200);
    assert.match(body.openapi, /^3\./);
    const version = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    assert.equal(body.info.version, version);
    const paths = [
      '/statuses',
      '/payloads',
      '/payloads/{request_id}',
      '/payloads/{request_id}/archiveLink',
      '/payloads/{request_id}/kibanaLink',
      '/roles/archiveLink',
      '/stats',
      '/health',
    ];
    for (const path of paths) assert.ok(body.paths[`/v1${path}`], `/v1${path} is documented`);
    for (const alias of PAYLOAD_TRACKER_PREFIXES.slice(1)) {
      for (const path of paths) assert.equal(body.paths[`${alias}${path}`], undefined, `${alias}${path} is not listed again`);
      assert.ok(body.info.description.includes(`\`${alias}/…\` serves \`/v1/…\``), `${alias} is named in the description`);
    }
    const tags = new Set(
      Object.values(body.paths).flatMap((operations: any) => Object.values(operations).flatMap((operation: any) => operation.tags)),
    );
    assert.deepEqual([...tags].sort(), ['dead letters', 'gathering', 'operations', 'payload tracker', 'report jobs', 'schedules', 'tasks']);
    assert.match(body.paths['/v1/dead-letters'].get.description, /Needs a bearer token with the scope dead-letters:manage\.$/);
    // Each route's declared access is what the document says it needs.
    assert.deepEqual(body.paths['/v1/statuses'].post.security, [{ bearerAuth: [] }]);
    assert.match(body.paths['/v1/statuses'].post.description, /Needs a bearer token with the scope statuses:write\.$/);
    assert.deepEqual(body.paths['/cluster/{clusterID}/requests'].get.security, [{ bearerAuth: [] }, { rhIdentity: [] }]);
    assert.deepEqual(body.paths['/v1/payloads'].get.security, [{}]);
    assert.deepEqual(body.paths['/v1/roles/archiveLink'].get.security, [{ rhIdentity: [] }]);
    assert.equal(body.paths['/v1/health'].get.security, undefined);
    assert.ok(body.paths['/v1/statuses'].post);
    assert.ok(body.paths['/v1/payloads'].get.parameters.some((p: { name: string }) => p.name === 'created_at_gte'));
    const docs = await fetch(`${app.url}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /<html/i);
  });

  test('/metrics exposes the payload_tracker_* counters in Prometheus format', async () => {
    const response = await fetch(`${app.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /^payload_tracker_consumed_messages 9$/m);
    assert.match(text, /^payload_tracker_stored_messages 9$/m);
    assert.match(text, /^payload_tracker_requests \d+$/m);
    assert.match(text, /^payload_tracker_responses\{code="200"\} \d+$/m);
  });

  test('an unknown route: 404 in the payload tracker body', async () => {
    const { status, body } = await request(`${app.url}/v2/nothing?x=1`);
    assert.equal(status, 404);
    assert.deepEqual(body, { title: 'Not Found', message: 'no route GET /v2/nothing', status: 404 });
  });
});
