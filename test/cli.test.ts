import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { createDb } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { createServerDatabase } from '../src/db/server-databases.ts';
import { bearer, request } from './helpers.ts';
import { waitFor } from './wait.ts';

const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
const onServer = Boolean(process.env.TEST_DATABASE_URL);
let env: Record<string, string>;
let cleanUp: () => Promise<void>;

/**
 * On PGlite, a migrated data directory each test starts from as a copy: a
 * command creating and migrating its own spends ~4 s of CPU on it.
 */
let migratedDataDir: string | undefined;
before(async () => {
  if (onServer) return;
  migratedDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-cli-migrated-'));
  const database = createDb({ dataDir: migratedDataDir });
  await migrate(database);
  await database.close();
});
after(() => migratedDataDir && fs.rmSync(migratedDataDir, { recursive: true, force: true }));

// Each test has a data directory (and, on PostgreSQL, a database) of its own.
beforeEach(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-cli-'));
  if (migratedDataDir) fs.cpSync(migratedDataDir, dataDir, { recursive: true });
  env = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  let drop = async () => {};
  if (onServer) {
    const server = await createServerDatabase(process.env.TEST_DATABASE_URL!);
    env.DATABASE_URL = server.url;
    drop = server.drop;
  }
  cleanUp = async () => {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
});
afterEach(() => cleanUp());

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `tracker serve ARGS` and resolves with its output once it logs `ready` (by default, its URL). */
function serve(
  args: string[] = [],
  ready = /Tracker serves (http:\/\/[\d.:]+)/,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: { ...env, REPORTS_DIR: path.join(env.DATA_DIR, 'reports') } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) resolve({ child, url: match[1], output: () => output });
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
}

/** A new token of `tracker token create`, for the org and scopes given. */
async function createToken(scopes: string, org = 'org-9'): Promise<string> {
  const result = await run(['token', 'create', '--org', org, '--user', 'alice', '--scopes', scopes]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

describe('the tracker CLI', () => {
  test('migrate applies the migrations, then finds nothing to do', async () => {
    env.DATA_DIR = path.join(env.DATA_DIR, 'new'); // not the migrated copy
    const first = await run(['migrate']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /applied 0001_payloads/);
    const second = await run(['migrate']);
    assert.match(second.stderr, /up to date/);
  });

  test('token create prints the new token alone on stdout', async () => {
    const result = await run(['token', 'create', '--org', 'org-9', '--user', 'alice', '--scopes', 'statuses:write,gathering:read']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^trk_[A-Za-z0-9_-]{43}\n$/);
  });

  test('token create refuses unknown scopes and missing options', async () => {
    const unknown = await run(['token', 'create', '--org', 'o', '--user', 'u', '--scopes', 'everything']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown scope everything/);
    const missing = await run(['token', 'create', '--user', 'u', '--scopes', 'statuses:write']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /an org is required/);
  });

  test('serve logs its URL and accepts a token; the embedded database is not opened twice; after a restart the data is there', async () => {
    const token = await createToken('statuses:write');
    const { child, url } = await serve();
    try {
      const posted = await request(`${url}/v1/statuses`, {
        headers: bearer(token),
        body: { request_id: 'cli-1', service: 'ingress', status: 'received', date: '2026-11-25T10:00:00Z' },
      });
      assert.equal(posted.status, 200);
      assert.equal((await request(`${url}/v1/payloads/cli-1`)).status, 200);
      if (!onServer) {
        const second = await run(['token', 'create', '--org', 'o', '--user', 'u', '--scopes', 'statuses:write']);
        assert.equal(second.code, 1);
        assert.match(second.stderr, new RegExp(`in use by process ${child.pid} \\(tracker serve\\)`));
      }
    } finally {
      await stop(child);
    }
    const restarted = await serve();
    try {
      const stored = await request(`${restarted.url}/v1/payloads/cli-1`);
      assert.equal(stored.status, 200);
      assert.deepEqual(
        stored.body.data.map((row: { status: string }) => row.status),
        ['received'],
      );
    } finally {
      await stop(restarted.child);
    }
  });

  test('rules import replaces the catalogue and says how many rules it holds; a bad file is refused with a message', async () => {
    const file = path.join(env.DATA_DIR, 'rules.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { rule_fqdn: 'a.rule', error_key: 'KEY_A', description: 'A', total_risk: 1 },
        { rule_fqdn: 'b.rule', error_key: 'KEY_B', description: 'B', total_risk: 4 },
      ]),
    );
    const imported = await run(['rules', 'import', file]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /holds the 2 rules/);

    fs.writeFileSync(file, JSON.stringify([{ rule_fqdn: 'c.rule', error_key: 'KEY_C', description: 'C', total_risk: 'high' }]));
    const invalid = await run(['rules', 'import', file]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /\[0\]\.total_risk must be a whole number/);
    fs.writeFileSync(file, '{not json');
    assert.match((await run(['rules', 'import', file])).stderr, /cannot read/);
    assert.match((await run(['rules', 'import'])).stderr, /usage: tracker rules import FILE/);
  });

  test('serve --roles worker renders and mails without listening; --roles api serves without rendering', async () => {
    const refused = await run(['serve', '--roles', 'web']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--roles takes api and\/or worker, comma-separated, not "web"/);

    const worker = await serve(['--roles', 'worker'], /Tracker renders and mails reports()/);
    if (!onServer) {
      // The embedded database belongs to one process: the roles run apart only on PostgreSQL.
      assert.doesNotMatch(worker.output(), /Tracker serves/);
      await stop(worker.child);
      return;
    }
    const api = await serve(['--roles', 'api']);
    try {
      assert.doesNotMatch(api.output(), /Tracker renders/);
      const headers = bearer(await createToken('data-reports:read,data-reports:write'));
      const job = await request(`${api.url}/data/reports/statuses/jobs`, {
        method: 'POST',
        headers,
        body: { name: 'split roles', format: 'csv', timezone: 'UTC', timespan: { from: '2026-11-25', to: '2026-11-26' } },
      });
      assert.equal(job.status, 202);
      const answer = await waitFor(async () => {
        const polled = await request(`${api.url}/data/reports/statuses/jobs/${job.body.job.id}`, { headers });
        return !['CREATED', 'PROCESSING'].includes(polled.body.job.status) && polled;
      });
      assert.equal(answer.status, 300, 'the worker process rendered the job the API process took');
    } finally {
      await stop(api.child);
      await stop(worker.child);
    }
  });

  test('logs are JSON lines off a terminal, readable lines with LOG_FORMAT=pretty', async () => {
    const json = await serve();
    await stop(json.child);
    const line = json
      .output()
      .split('\n')
      .find((text) => text.includes('Tracker serves'))!;
    assert.equal(JSON.parse(line).level, 30);
    env.LOG_FORMAT = 'pretty';
    const pretty = await serve();
    await stop(pretty.child);
    assert.match(pretty.output(), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Tracker serves http:/m);
    env.LOG_FORMAT = 'yaml';
    assert.match((await run(['migrate'])).stderr, /LOG_FORMAT must be json or pretty, not "yaml"/);
  });

  test('an unknown command or bad configuration is refused with a message', async () => {
    const unknown = await run(['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badPort = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [MAIN, 'serve'], { env: { ...env, PORT: 'eighty' } });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /PORT must be a whole number/);
  });

  test('a malformed DATABASE_URL, SMTP_URL or NATS_URL is refused at start-up without printing its password', async () => {
    const malformed = {
      DATABASE_URL: ['postgres://tracker:s3cr@t@db.example:port/tracker', 'postgres://***@db.example:port/tracker'],
      SMTP_URL: ['smtp://mailer:s3cr3t@mail example:587', 'smtp://***@mail example:587'],
      NATS_URL: ['nats://bus:s3cr3t@[::1:4222', 'nats://***@[::1:4222'],
    };
    const configured = { ...env };
    for (const [name, [value, shown]] of Object.entries(malformed)) {
      env = { ...configured, [name]: value };
      const { code, stdout, stderr } = await run(['serve']);
      assert.equal(code, 1, name);
      assert.equal(stderr.trim(), `tracker: ${name} must be a URL, not "${shown}"`);
      assert.ok(!`${stdout}${stderr}`.includes('s3cr'), stderr);
    }
  });
});
