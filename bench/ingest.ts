import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createToken } from '../src/auth/tokens.ts';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { batchBodies, byDate, generateEvents, utcDays, type BenchEvent } from './events.ts';
import { median, runLoad } from './http-load.ts';
import { startTracker } from './server-process.ts';
import { createTarget, withOpen, type BenchTarget, type TargetKind } from './targets.ts';

export interface IngestFigures {
  batchedPerSecond: number;
  /** One event per request, events per second, by connections. */
  singlePerSecond: Map<number, number>;
  copyPerSecond?: number;
  serverPeakMb: number;
}

const BATCH = 1000;
const CLIENTS = 4;
/** Connections sending one event per request: each run's requests arrive together and are stored by group commit. */
export const SINGLE_CONNECTIONS = [8, 32, 128];

/** Partitions for the events' days made ahead, as upkeep would; returns an ingest token. */
async function prepare(target: BenchTarget, events: BenchEvent[]): Promise<string> {
  return withOpen(target, async (database) => {
    await new PartitionKeeper(database.db).ensure(utcDays(events));
    return createToken(database.db, { orgId: 'bench', userName: 'bench', scopes: ['statuses:write'], allOrgs: true });
  });
}

/**
 * One round on a fresh database: the `batched` events in batches of 1,000 from
 * 4 connections, then each set of `single` events one per request, from 8, 32
 * and 128 connections, through a Tracker server process. Returns events per
 * second of each and the server's peak memory.
 */
async function ingestRound(kind: TargetKind, batched: BenchEvent[], single: BenchEvent[][]) {
  const target = await createTarget(kind);
  try {
    const token = await prepare(target, [...batched, ...single.flat()]);
    const server = await startTracker(target.serverEnv);
    try {
      const headers = { authorization: `Bearer ${token}` };
      const bodies = batchBodies(batched, BATCH);
      const batchedRun = await runLoad({
        url: server.url,
        connections: CLIENTS,
        next: (i) => ({ path: '/v1/statuses', method: 'POST', body: bodies[i], headers }),
        stop: (sent) => sent >= bodies.length,
      });
      const singlePerSecond = new Map<number, number>();
      for (const [index, connections] of SINGLE_CONNECTIONS.entries()) {
        const singleBodies = single[index].map((event) => JSON.stringify(event));
        const singleRun = await runLoad({
          url: server.url,
          connections,
          next: (i) => ({ path: '/v1/statuses', method: 'POST', body: singleBodies[i], headers }),
          stop: (sent) => sent >= singleBodies.length,
        });
        singlePerSecond.set(connections, singleBodies.length / singleRun.seconds);
      }
      return {
        batchedPerSecond: batched.length / batchedRun.seconds,
        singlePerSecond,
        serverPeakMb: server.peakMb(),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await target.drop();
  }
}

export interface CopyText {
  payloadText: string;
  statusParts: string[];
}

/** COPY text of the payloads (first seen first, so identity IDs 1..n follow that order) and of the statuses in `parts` parts. */
export function copyText(events: BenchEvent[], parts: number): CopyText {
  const payloads = new Map<string, { id: number; account: string; org: string; first: string }>();
  const statusLines: string[] = [];
  for (const event of events) {
    let payload = payloads.get(event.request_id);
    if (!payload) {
      payload = { id: payloads.size + 1, account: event.account, org: event.org_id, first: event.date };
      payloads.set(event.request_id, payload);
    } else if (event.date < payload.first) payload.first = event.date;
    statusLines.push(`${payload.id}\t${event.service}\t\\N\t${event.status}\t${event.status_msg ?? '\\N'}\t${event.date}\n`);
  }
  const payloadText = [...payloads].map(([requestId, p]) => `${requestId}\t${p.account}\t${p.org}\t${p.first}\n`).join('');
  const part = Math.ceil(statusLines.length / parts);
  const statusParts = Array.from({ length: parts }, (_, i) => statusLines.slice(i * part, (i + 1) * part).join(''));
  return { payloadText, statusParts };
}

async function copyInto(client: pg.Client, statement: string, text: string) {
  await pipeline(Readable.from([text]), client.query(copyFrom(statement)));
}

/** Loads the rows with COPY straight into the tables: the payloads from the first client, then each part of the statuses from a client of its own. */
export async function copyRows(clients: pg.Client[], { payloadText, statusParts }: CopyText): Promise<void> {
  await copyInto(clients[0], 'copy payloads (request_id, account, org_id, created_at) from stdin', payloadText);
  await Promise.all(
    statusParts.map((part, i) =>
      copyInto(clients[i], 'copy payload_statuses (payload_id, service, source, status, status_msg, date) from stdin', part),
    ),
  );
}

/** The ceiling: the same rows loaded with COPY straight into the same tables (PostgreSQL only), events per second. */
async function copyRound(events: BenchEvent[]): Promise<number> {
  const target = await createTarget('postgres');
  const clients = Array.from({ length: CLIENTS }, () => new pg.Client({ connectionString: target.serverEnv.DATABASE_URL }));
  try {
    await prepare(target, events);
    const text = copyText(events, CLIENTS);
    await Promise.all(clients.map((client) => client.connect()));
    const started = performance.now();
    await copyRows(clients, text);
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await clients[0].query('select count(*)::int as n from payload_statuses');
    if (rows[0].n !== events.length) throw new Error(`COPY stored ${rows[0].n} of ${events.length} statuses`);
    return events.length / seconds;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    await target.drop();
  }
}

export async function benchIngest(kind: TargetKind, options: { events: number; single: number; rounds: number }): Promise<IngestFigures> {
  const batched = generateEvents(options.events).sort(byDate);
  const single = SINGLE_CONNECTIONS.map(() => generateEvents(options.single).sort(byDate));
  const rounds: Awaited<ReturnType<typeof ingestRound>>[] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(await ingestRound(kind, batched, single));
  const copies = [];
  if (kind === 'postgres') for (let round = 0; round < options.rounds; round++) copies.push(await copyRound(batched));
  return {
    batchedPerSecond: median(rounds.map((round) => round.batchedPerSecond)),
    singlePerSecond: new Map(
      SINGLE_CONNECTIONS.map((connections) => [connections, median(rounds.map((round) => round.singlePerSecond.get(connections)!))]),
    ),
    copyPerSecond: copies.length > 0 ? median(copies) : undefined,
    serverPeakMb: Math.max(...rounds.map((round) => round.serverPeakMb)),
  };
}
