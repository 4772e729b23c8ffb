import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { runDueSchedules } from '../src/schedules/scheduler.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import { waitFor } from './wait.ts';

const REFUSED = 'refuse@example.com';
const received: { to: string[]; mail: ParsedMail }[] = [];
let smtp: SMTPServer;
let smtpUrl = '';
let clock = new Date('2026-11-24T10:00:00Z');

/** A real SMTP server: it takes every mail, but refuses one recipient for good. */
function startSmtp(): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === REFUSED) callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  return new Promise((resolve) =>
    smtp.listen(0, '127.0.0.1', () => {
      smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

async function mailingApp(env: Record<string, string> = {}) {
  const app = await startTestApp({
    now: () => clock,
    env: { SMTP_URL: smtpUrl, MAIL_MAX_ATTEMPTS: '2', MAIL_RETRY_DELAY_SECONDS: '1', ...env },
  });
  const writer = bearer(await app.token(['data-reports:read', 'data-reports:write'], 'org-mail', 'mailer'));
  await request(`${app.url}/v1/statuses`, {
    headers: bearer(await app.token(['statuses:write'], 'pipeline')),
    body: [
      {
        request_id: 'mail0000000000000000000000000001',
        service: 'ingress',
        status: 'received',
        date: '2026-11-24T09:00:00Z',
        org_id: 'org-mail',
      },
      {
        request_id: 'mail0000000000000000000000000001',
        service: 'ingress',
        status: 'success',
        date: '2026-11-24T09:00:05Z',
        org_id: 'org-mail',
      },
    ],
  });
  return { app, writer };
}

/** Creates a daily UTC schedule now, runs the day at midnight, and waits for the run's task to end. */
async function runSchedule(app: TestApp, writer: Record<string, string>, sendTo: string[]) {
  clock = new Date('2026-11-24T10:00:00Z');
  const created = await request(`${app.url}/api/v1/reports/schedules`, {
    headers: writer,
    body: { attrs: { name: 'daily mail', type: 'statuses', schedule: 'daily', timezone: 'UTC', send_to: sendTo, send_via: 'email' } },
  });
  assert.equal(created.status, 200);
  clock = new Date('2026-11-25T00:00:30Z');
  assert.equal(await runDueSchedules({ db: app.database.db, enqueue: app.reportQueue.enqueue, now: () => clock }), 1);
  const listed = await request(`${app.url}/task/list`, {
    headers: writer,
    body: { params: { configuration_id: Number(created.body.data.schedule.id) } },
  });
  const taskId = listed.body.result.tasks[0].task_id;
  return waitFor(
    async () => {
      const task = (await request(`${app.url}/task/show`, { headers: writer, body: { params: { task_id: taskId } } })).body.result.task;
      return task.finished !== '' && task;
    },
    { what: 'the scheduled run to end' },
  );
}

before(startSmtp);
after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

describe('mailing scheduled reports', () => {
  let app: TestApp;
  let writer: Record<string, string>;
  before(async () => {
    ({ app, writer } = await mailingApp());
  });
  after(() => app.close());

  test('every recipient gets the file attached; the run ends End with an outcome per recipient', async () => {
    received.length = 0;
    const task = await runSchedule(app, writer, ['ops@example.com', 'dev@example.com']);
    assert.equal(task.state, 'End');
    const messages = task.messages.map((message: { message: string }) => message.message);
    assert.ok(
      messages.some((text: string) => /^sent to ops@example\.com \(attached, \d+ bytes\)$/.test(text)),
      messages.join(' | '),
    );
    assert.ok(messages.some((text: string) => /^sent to dev@example\.com \(attached, \d+ bytes\)$/.test(text)));
    assert.equal(messages.at(-1), 'mailed to 2 recipient(s)');

    assert.deepEqual(
      received
        .map((mail) => mail.to)
        .flat()
        .sort(),
      ['dev@example.com', 'ops@example.com'],
    );
    const [first] = received;
    assert.match(first.mail.subject ?? '', /daily mail/);
    assert.equal(first.mail.attachments.length, 1);
    const attachment = first.mail.attachments[0];
    assert.match(attachment.filename ?? '', /^daily-mail-\d+\.csv$/);
    assert.equal(
      attachment.content.toString('utf8'),
      'date,request_id,service,source,status,status_msg,account,org_id,inventory_id,system_id\r\n' +
        '2026-11-24T09:00:00.000000+00:00,mail0000000000000000000000000001,ingress,,received,,,org-mail,,\r\n' +
        '2026-11-24T09:00:05.000000+00:00,mail0000000000000000000000000001,ingress,,success,,,org-mail,,\r\n',
    );
  });

  test('a recipient the server refuses makes the run Failed, naming it; the others still get their mail', async () => {
    received.length = 0;
    const task = await runSchedule(app, writer, [REFUSED, 'ok@example.com']);
    assert.equal(task.state, 'Failed');
    const messages = task.messages.map((message: { message: string }) => message.message);
    assert.ok(
      messages.some((text: string) => text.startsWith(`delivery to ${REFUSED} failed: `)),
      messages.join(' | '),
    );
    assert.ok(messages.some((text: string) => text.startsWith('sent to ok@example.com')));
    assert.equal(messages.at(-1), `not delivered to ${REFUSED}`);
    assert.deepEqual(received.map((mail) => mail.to).flat(), ['ok@example.com']);
  });
});

test('a file over MAIL_ATTACHMENT_MAX_BYTES is mailed as a download link with its expiry', async () => {
  const { app, writer } = await mailingApp({ MAIL_ATTACHMENT_MAX_BYTES: '100', PUBLIC_URL: 'https://tracker.example/' });
  try {
    received.length = 0;
    const task = await runSchedule(app, writer, ['big@example.com']);
    assert.equal(task.state, 'End');
    assert.match(
      task.messages.map((message: { message: string }) => message.message).join(' | '),
      /sent to big@example\.com \(as a link, \d+ bytes\)/,
    );
    const [{ mail }] = received;
    assert.equal(mail.attachments.length, 0);
    assert.match(mail.text ?? '', /https:\/\/tracker\.example\/data\/reports\/statuses\/files\/\d+/);
    assert.match(mail.text ?? '', /until 2026-12-25T00:00:30/);
  } finally {
    await app.close();
  }
});

test('an SMTP server that cannot be reached: retried, then Failed naming the recipient', async () => {
  const { app, writer } = await mailingApp({ SMTP_URL: 'smtp://127.0.0.1:9' });
  try {
    const task = await runSchedule(app, writer, ['nobody@example.com']);
    assert.equal(task.state, 'Failed');
    const messages = task.messages.map((message: { message: string }) => message.message);
    assert.ok(
      messages.some((text: string) => /^delivery to nobody@example\.com failed \(attempt 1 of 2\): .*; trying again$/.test(text)),
      messages.join(' | '),
    );
    assert.ok(messages.some((text: string) => text.startsWith('delivery to nobody@example.com failed: ')));
    assert.equal(messages.at(-1), 'not delivered to nobody@example.com');
  } finally {
    await app.close();
  }
});
