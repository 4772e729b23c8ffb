import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import net from 'node:net';
import { freePort } from '../bench/server-process.ts';
import type { BusConfig } from '../src/config.ts';
import { bearer, request, startTestApp, type TestApp } from './helpers.ts';
import {
  connectNats,
  dropBus,
  natsMissing,
  natsServerMissing,
  publish,
  startNatsServer,
  startTestConsumer,
  testBus,
} from './bus-helpers.ts';
import { waitFor } from './wait.ts';

const skip = await natsMissing();
const event = (index: number, extra: Record<string, unknown> = {}) => ({
  request_id: `b05${String(index).padStart(29, '0')}`,
  service: 'ingress',
  status: 'received',
  date: new Date(Date.now() - index * 1000).toISOString(),
  ...extra,
});

async function count(app: TestApp, table: 'payload_statuses' | 'dead_letters'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(app.database.db);
  return rows[0].n;
}

/** The environment that points an app at `bus`. */
const busEnv = (bus: BusConfig) => ({ NATS_URL: bus.url, NATS_STREAM: bus.stream, NATS_SUBJECT: bus.subject, NATS_CONSUMER: bus.consumer });

/** GET /v1/health, and how long it took to answer in ms. */
async function busHealth(app: TestApp): Promise<{ status: number; bus: Record<string, any> }> {
  const { status, body } = await request(`${app.url}/v1/health`);
  return { status, bus: body.bus };
}

/**
 * A server that accepts connections and never says a word: a NATS hung, or
 * behind a firewall that drops. Closing it cuts what it accepted, whoever holds the other end.
 */
function silentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket.on('close', () => sockets.delete(socket))));
  return {
    async listen(port = 0): Promise<number> {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** For a describe: a test app on the `now` clock and a NATS connection to publish with, closed after its tests. */
function appAndNats(now: () => Date = () => new Date()): { app: TestApp; connection: NatsConnection } {
  const shared = {} as { app: TestApp; connection: NatsConnection };
  before(async () => {
    shared.app = await startTestApp({ now });
    shared.connection = await connectNats(testBus(), 'tracker tests');
  });
  after(async () => {
    await shared.connection?.close();
    await shared.app?.close();
  });
  return shared;
}

describe('status events from NATS JetStream', { skip }, () => {
  const nats = appAndNats();

  test('events published are stored once; the unstorable are kept as dead letters with their reason', async () => {
    const { app, connection } = nats;
    const bus = testBus();
    const consumer = await startTestConsumer(app, bus);
    try {
      const good = Array.from({ length: 300 }, (_, index) => event(index));
      await publish(connection, bus, [...good, good[0], 'not json {', event(1000, { date: 'yesterday' }), event(1001, { service: '' })]);
      await waitFor(async () => (await count(app, 'dead_letters')) === 3 && (await count(app, 'payload_statuses')) === 300);
      const { rows } = await sql<{ reason: string; body: Uint8Array; subject: string }>`
        select reason, body, subject from dead_letters order by stream_sequence`.execute(app.database.db);
      assert.match(rows[0].reason, /^not JSON/);
      assert.equal(Buffer.from(rows[0].body).toString(), 'not json {');
      assert.equal(rows[0].subject, bus.subject);
      assert.match(rows[1].reason, /^date must be an RFC 3339/);
      assert.match(rows[2].reason, /^service is required/);
      const metrics = await consumer.metrics.registry.getSingleMetricAsString('tracker_bus_consumed_messages');
      assert.match(metrics, / 304$/m);
    } finally {
      await consumer.stop();
      await dropBus(connection, bus);
    }
  });
});

test('/v1/health reports the bus consumer: consuming while a worker pulls, with its lag', { skip }, async () => {
  const bus = testBus();
  const app = await startTestApp({ env: busEnv(bus), now: () => new Date() });
  const connection = await connectNats(bus, 'tracker tests');
  const busHealth = async () => (await request(`${app.url}/v1/health`)).body.bus;
  try {
    const before = await waitFor(
      async () => {
        const answer = await busHealth();
        return answer.checked_at && answer;
      },
      { what: 'the first probe' },
    );
    assert.equal(before.state, 'unreachable', 'no stream nor consumer yet');
    assert.match(before.error, /not found/i);
    const consumer = await startTestConsumer(app, bus);
    await publish(connection, bus, [event(1), event(2)]);
    await waitFor(async () => (await count(app, 'payload_statuses')) === 2);
    // NATS is asked every 2 s in the background: the answer after the events were stored says so.
    const storedAt = new Date().toISOString();
    const health = await waitFor(
      async () => {
        const answer = await request(`${app.url}/v1/health`);
        return answer.body.bus.checked_at > storedAt && answer;
      },
      { what: 'a probe after the events were stored' },
    );
    assert.equal(health.status, 202);
    const { checked_at, since, ...rest } = health.body.bus;
    assert.ok(since <= checked_at, `in this state since ${since}, checked at ${checked_at}`);
    assert.deepEqual(
      { ...rest, waiting_pulls: rest.waiting_pulls > 0 },
      { state: 'consuming', stream: bus.stream, consumer: bus.consumer, pending: 0, ack_pending: 0, waiting_pulls: true },
    );
    await consumer.stop();
    // A stopped worker's pull requests lapse within seconds.
    await waitFor(async () => (await request(`${app.url}/v1/health`)).body.bus.state === 'idle', { timeoutMs: 10_000 });
  } finally {
    await dropBus(connection, bus);
    await connection.close();
    await app.close();
  }
});

describe('/v1/health while NATS is away', { skip: natsServerMissing() }, () => {
  test('answers at once when NATS stops, then goes silent, with the last state seen and since when', async () => {
    const nats = await startNatsServer(await freePort());
    const bus = testBus({ NATS_URL: nats.url });
    const app = await startTestApp({ env: busEnv(bus), now: () => new Date() });
    const silent = silentServer();
    try {
      await (await startTestConsumer(app, bus)).stop();
      const idle = await waitFor(async () => (await busHealth(app)).bus.state === 'idle' && busHealth(app), { what: 'idle' });
      assert.equal(idle.status, 202);

      const stoppedAt = new Date().toISOString();
      await nats.stop();
      const gone = await waitFor(async () => {
        const answer = await busHealth(app);
        return answer.bus.state === 'unreachable' && answer;
      });
      assert.equal(gone.status, 202);
      assert.ok(gone.bus.error, 'says why');
      assert.ok(gone.bus.since >= stoppedAt && gone.bus.since <= gone.bus.checked_at, JSON.stringify(gone.bus));

      await silent.listen(Number(new URL(nats.url).port));
      // The client reconnects to the silent server; the probes after it still find nothing, and health never waits on them.
      const silentFrom = new Date().toISOString();
      await waitFor(
        async () => {
          const answer = await busHealth(app);
          return Date.parse(answer.bus.checked_at) > Date.parse(silentFrom) + 2500;
        },
        { what: 'probes while NATS is silent' },
      );
      const still = await busHealth(app);
      assert.equal(still.bus.state, 'unreachable');
      assert.equal(still.bus.since, gone.bus.since, 'unreachable since NATS stopped');
    } finally {
      silent.close();
      await app.close();
      await nats.stop();
    }
  });

  test('answers at once at start-up when NATS never speaks', async () => {
    const silent = silentServer();
    const bus = testBus({ NATS_URL: `nats://127.0.0.1:${await silent.listen()}` });
    const app = await startTestApp({ env: busEnv(bus), now: () => new Date() });
    try {
      // Answered before the first probe of NATS ended (it waits 2 s for an answer): how long health takes is the chaos suite's to measure.
      const first = await busHealth(app);
      assert.equal(first.status, 202);
      assert.equal(first.bus.state, 'unreachable');
      assert.match(first.bus.error, /NATS has not answered yet/);
      const probed = await waitFor(
        async () => {
          const answer = await busHealth(app);
          return answer.bus.checked_at && answer;
        },
        { what: 'a probe that timed out' },
      );
      assert.equal(probed.bus.state, 'unreachable');
      assert.match(probed.bus.error, /accepted a connection and said nothing for 2000 ms/);
    } finally {
      await app.close();
      silent.close();
    }
  });
});

describe('dead letters: the API, and a replay after a fix', { skip }, () => {
  // The clock of the consumer and the API: a producer's clock two days fast is "fixed" by time catching up.
  let clock = Date.now();
  const nats = appAndNats(() => new Date(clock));

  test('list with filters and exact count, read one, replay once the reason is gone, delete', async () => {
    const { app, connection } = nats;
    const bus = testBus();
    const consumer = await startTestConsumer(app, bus, undefined, () => new Date(clock));
    // The letters name no org and the bus is bound to none: only a token for every org sees them.
    const manager = bearer(await app.token(['dead-letters:manage'], 'org-1', 'ops', { allOrgs: true }));
    try {
      const ahead = new Date(clock + 2 * 86_400_000).toISOString();
      await publish(connection, bus, [event(1, { date: ahead }), event(2, { date: ahead }), '\u00ff not json', event(3)]);
      await waitFor(async () => (await count(app, 'dead_letters')) === 3 && (await count(app, 'payload_statuses')) === 1);
      await consumer.stop();

      const list = await request(`${app.url}/v1/dead-letters?page_size=2`, { headers: manager });
      assert.equal(list.status, 200);
      assert.equal(list.body.count, 3);
      assert.equal(list.body.data.length, 2);
      const dated = await request(`${app.url}/v1/dead-letters?reason=A+DAY+AHEAD`, { headers: manager });
      assert.equal(dated.body.count, 2);
      const notJson = (await request(`${app.url}/v1/dead-letters?reason=not%20JSON`, { headers: manager })).body.data[0];
      const one = await request(`${app.url}/v1/dead-letters/${notJson.id}`, { headers: manager });
      assert.equal(Buffer.from(one.body.body_base64, 'base64').toString(), '\u00ff not json');
      assert.equal(one.body.stream, bus.stream);
      assert.equal((await request(`${app.url}/v1/dead-letters`, { headers: bearer(await app.token(['payloads:read'])) })).status, 403);
      assert.equal((await request(`${app.url}/v1/dead-letters`)).status, 401);

      // Replayed too early, they are still refused; two days on, they are stored and leave the list.
      const early = await request(`${app.url}/v1/dead-letters/replay`, { headers: manager, body: { reason: 'a day ahead' } });
      assert.deepEqual(early.body, { replayed: 2, stored: 0, still_dead: 2, remaining: 0 });
      clock += 2 * 86_400_000;
      const replay = await request(`${app.url}/v1/dead-letters/replay`, { headers: manager, body: { reason: 'a day ahead' } });
      assert.deepEqual(replay.body, { replayed: 2, stored: 2, still_dead: 0, remaining: 0 });
      assert.equal(await count(app, 'payload_statuses'), 3);
      assert.equal(await count(app, 'dead_letters'), 1);

      assert.equal((await request(`${app.url}/v1/dead-letters`, { method: 'DELETE', headers: manager })).status, 400);
      const deleted = await request(`${app.url}/v1/dead-letters/${notJson.id}`, { method: 'DELETE', headers: manager });
      assert.equal(deleted.status, 204);
      assert.equal((await request(`${app.url}/v1/dead-letters/${notJson.id}`, { headers: manager })).status, 404);
      assert.equal(await count(app, 'dead_letters'), 0);
    } finally {
      await consumer.stop().catch(() => {});
      await dropBus(connection, bus);
    }
  });
});

describe('dead letters belong to an org', { skip }, () => {
  let clock = Date.now();
  const nats = appAndNats(() => new Date(clock));

  test("the bus's org, else the message's; a token manages its org's only, and a replay reads each in its own org", async () => {
    const { app, connection } = nats;
    const bound = testBus({ NATS_ORG_ID: 'org-a' });
    const unbound = testBus();
    const consumers = [
      await startTestConsumer(app, bound, undefined, () => new Date(clock)),
      await startTestConsumer(app, unbound, undefined, () => new Date(clock)),
    ];
    const ahead = new Date(clock + 2 * 86_400_000).toISOString();
    try {
      await publish(connection, bound, ['not json', event(1, { date: ahead, org_id: 'org-b' })]);
      await publish(connection, unbound, ['not json either', event(2, { date: ahead, org_id: 'org-c' })]);
      await waitFor(async () => (await count(app, 'dead_letters')) === 4);
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await dropBus(connection, bound);
      await dropBus(connection, unbound);
    }
    const managerOf = async (org: string, allOrgs = false) => bearer(await app.token(['dead-letters:manage'], org, 'ops', { allOrgs }));
    const [orgA, orgC, everyOrg] = [await managerOf('org-a'), await managerOf('org-c'), await managerOf('org-z', true)];
    const list = async (headers: Record<string, string>) => (await request(`${app.url}/v1/dead-letters`, { headers })).body;

    const ofA = await list(orgA);
    assert.equal(ofA.count, 2, 'the bound bus keeps even a message naming another org in its own');
    assert.deepEqual(new Set(ofA.data.map((letter: { org_id: string }) => letter.org_id)), new Set(['org-a']));
    const ofC = await list(orgC);
    assert.equal(ofC.count, 1);
    assert.equal(ofC.data[0].org_id, 'org-c');
    const all = await list(everyOrg);
    assert.equal(all.count, 4);
    const orgless = all.data.find((letter: { body: string }) => letter.body === 'not json either');
    assert.equal(orgless.org_id, undefined, 'no org is known for it: only a token for every org sees it');
    assert.ok(all.data.every((letter: { published_at: string }) => Date.parse(letter.published_at) > 0));

    // Another org's letter is as good as absent: not read, not replayed, not deleted.
    const theirs = ofC.data[0].id;
    assert.equal((await request(`${app.url}/v1/dead-letters/${theirs}`, { headers: orgA })).status, 404);
    assert.equal((await request(`${app.url}/v1/dead-letters/${theirs}`, { headers: orgA, method: 'DELETE' })).status, 404);
    const notTheirs = await request(`${app.url}/v1/dead-letters/replay`, { headers: orgA, body: { ids: [theirs] } });
    assert.deepEqual(notTheirs.body, { replayed: 0, stored: 0, still_dead: 0, remaining: 0 });
    const deletedByFilter = await request(`${app.url}/v1/dead-letters?subject=${encodeURIComponent(unbound.subject)}`, {
      headers: orgA,
      method: 'DELETE',
    });
    assert.deepEqual(deletedByFilter.body, { deleted: 0 });

    // Two days on the dates are good. org-c's event is stored in org-c; org-a's still names org-b, which its bus may not carry.
    clock += 2 * 86_400_000;
    const replayC = await request(`${app.url}/v1/dead-letters/replay`, { headers: orgC, body: { reason: 'a day ahead' } });
    assert.deepEqual(replayC.body, { replayed: 1, stored: 1, still_dead: 0, remaining: 0 });
    const replayA = await request(`${app.url}/v1/dead-letters/replay`, { headers: orgA, body: { reason: 'a day ahead' } });
    assert.deepEqual(replayA.body, { replayed: 1, stored: 0, still_dead: 1, remaining: 0 });
    const { rows } = await sql<{ request_id: string; org_id: string }>`
      select request_id, org_id from payloads where request_id in (${event(1).request_id}, ${event(2).request_id})`.execute(
      app.database.db,
    );
    assert.deepEqual(rows, [{ request_id: event(2).request_id, org_id: 'org-c' }]);
    const stillA = (await list(orgA)).data.find((letter: { reason: string }) => /org_id/.test(letter.reason));
    assert.match(stillA.reason, /^org_id belongs to another org than org-a/);
  });

  test('a stream deleted and made again: its dead letters are kept, though their sequences repeat the old ones', async () => {
    const { app, connection } = nats;
    const bus = testBus();
    const before = await count(app, 'dead_letters');
    const bodies = Array.from({ length: 20 }, (_, index) => `not json ${index}`);
    for (const round of [1, 2]) {
      const consumer = await startTestConsumer(app, bus);
      try {
        await publish(connection, bus, bodies);
        await waitFor(async () => (await count(app, 'dead_letters')) === before + round * 20, { what: `round ${round} kept` });
      } finally {
        await consumer.stop();
        await dropBus(connection, bus);
      }
    }
    const { rows } = await sql<{ sequences: number; messages: number }>`
      select count(distinct stream_sequence)::int as sequences, count(distinct (stream_sequence, published_at))::int as messages
      from dead_letters where stream = ${bus.stream}`.execute(app.database.db);
    assert.deepEqual(rows[0], { sequences: 20, messages: 40 });
  });
});

describe('consumers sharing the stream, and messages JetStream gives up on', { skip }, () => {
  const nats = appAndNats();

  test('two workers share the consumer: each message is stored once, and both do part of the work', async () => {
    const { app, connection } = nats;
    const bus = testBus({ NATS_BATCH_SIZE: '50' });
    const first = await startTestConsumer(app, bus);
    const second = await startTestConsumer(app, bus);
    try {
      await publish(
        connection,
        bus,
        Array.from({ length: 4000 }, (_, index) => event(10_000 + index)),
      );
      await waitFor(async () => (await count(app, 'payload_statuses')) === 4000, { timeoutMs: 60_000 });
      const consumed = async (consumer: typeof first) =>
        Number(/ (\d+)$/m.exec(await consumer.metrics.registry.getSingleMetricAsString('tracker_bus_consumed_messages'))?.[1]);
      const [a, b] = [await consumed(first), await consumed(second)];
      assert.equal(a + b, 4000, `${a} + ${b} messages taken: none twice`);
      assert.ok(a > 0 && b > 0, `${a} and ${b}: both took part`);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await dropBus(connection, bus);
    }
  });

  test('a message delivered NATS_MAX_DELIVER times without being acknowledged becomes a dead letter, body and all', async () => {
    const { app, connection } = nats;
    const bus = testBus({ NATS_MAX_DELIVER: '2' });
    // The streams and consumer made as Tracker makes them; then a worker that fails every message it takes.
    await (await startTestConsumer(app, bus)).stop();
    await publish(connection, bus, [event(20_000, { status_msg: 'never acknowledged' })]);
    const failing = await jetstream(connection).consumers.get(bus.stream, bus.consumer);
    for (let delivery = 1; delivery <= 2; delivery++) {
      const message = await failing.next({ expires: 5000 });
      assert.equal(message?.info.deliveryCount, delivery);
      message.nak();
    }
    const statusesBefore = await count(app, 'payload_statuses');
    const consumer = await startTestConsumer(app, bus);
    try {
      await waitFor(async () => (await count(app, 'dead_letters')) === 1);
      const { rows } = await sql<{ reason: string; body: Uint8Array; deliveries: number }>`
        select reason, body, deliveries from dead_letters`.execute(app.database.db);
      assert.match(rows[0].reason, /^delivered 2 times without being stored \(NATS_MAX_DELIVER\)$/);
      assert.equal(rows[0].deliveries, 2);
      assert.equal(JSON.parse(Buffer.from(rows[0].body).toString()).status_msg, 'never acknowledged');
      assert.equal(await count(app, 'payload_statuses'), statusesBefore);
    } finally {
      await consumer.stop();
      await dropBus(connection, bus);
    }
  });
});
