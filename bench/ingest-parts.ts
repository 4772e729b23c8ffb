import pg from 'pg';
import { PartitionKeeper } from '../src/db/partitions.ts';
import { byDate, generateEvents, utcDays, type BenchEvent } from './events.ts';
import { median } from './http-load.ts';
import { copyRows, copyText } from './ingest.ts';
import { cpuMicrosOf } from './server-process.ts';
import { createTarget, withOpen } from './targets.ts';

/*
 * Where PostgreSQL's time per stored event goes: `store_status_events`, the
 * statement HTTP and bus ingest call, and COPY into the same tables, each on a
 * fresh database as it is and with one part of the schema taken away. CPU is
 * read from /proc for the sessions' own backend processes (Linux, a local
 * server), so background writers and other databases do not blur it.
 */

const BATCH = 1000;
const CONNECTIONS = 4;

/** The parts taken away, as the statements that take them away. */
export const INGEST_PARTS: { label: string; remove: string[] }[] = [
  { label: 'everything (as deployed)', remove: [] },
  {
    label: 'without the count triggers (0005, 0015)',
    remove: [
      'alter table payload_statuses disable trigger payload_statuses_counted_on_insert',
      'alter table payloads disable trigger payloads_counted_on_insert',
      'alter table payloads disable trigger payloads_counted_on_update',
    ],
  },
  {
    label: 'without the last-status trigger (0010, 0016)',
    remove: ['alter table payload_statuses disable trigger payload_statuses_latest_on_insert'],
  },
  {
    label: 'without the last-status counts (0016)',
    remove: [
      'alter table payload_latest disable trigger payload_latest_counted_on_insert',
      'alter table payload_latest disable trigger payload_latest_counted_on_update',
    ],
  },
  {
    label: "without the statuses' date and service indexes",
    remove: ['drop index payload_statuses_date_idx', 'drop index payload_statuses_service_status_idx'],
  },
  {
    label: "without the payloads' five lookup indexes",
    remove: ['created_at', 'account', 'org_id', 'inventory_id', 'system_id'].map((column) => `drop index payloads_${column}_idx`),
  },
  {
    label: 'without any trigger',
    remove: ['alter table payload_statuses disable trigger user', 'alter table payloads disable trigger user'],
  },
];

/** Events per second, and PostgreSQL's CPU per event in µs. */
interface Rate {
  perSecond: number;
  cpuMicros: number;
}

export interface IngestPartFigure {
  label: string;
  store: Rate;
  copy: Rate;
}

/** Arguments of store_status_events for each batch, built before the clock starts. */
function storeArguments(events: BenchEvent[]): unknown[][] {
  const batches: unknown[][] = [];
  for (let at = 0; at < events.length; at += BATCH) {
    const batch = events.slice(at, at + BATCH);
    const column = (read: (event: BenchEvent) => string | undefined) => batch.map((event) => read(event) ?? null);
    // The bench's events have no inventory ID, system ID or source.
    const absent = batch.map(() => null);
    batches.push([
      column((event) => event.request_id),
      column((event) => event.account),
      column((event) => event.org_id),
      absent,
      absent,
      column((event) => event.service),
      absent,
      column((event) => event.status),
      column((event) => event.status_msg),
      column((event) => event.date),
    ]);
  }
  return batches;
}

/** Runs `load` on a fresh database with `remove` applied; answers events per second and backend CPU per event. */
async function measure(events: BenchEvent[], remove: string[], load: (clients: pg.Client[]) => Promise<unknown>): Promise<Rate> {
  const target = await createTarget('postgres');
  const clients = Array.from({ length: CONNECTIONS }, () => new pg.Client({ connectionString: target.serverEnv.DATABASE_URL }));
  try {
    await withOpen(target, (database) => new PartitionKeeper(database.db).ensure(utcDays(events)));
    await Promise.all(clients.map((client) => client.connect()));
    for (const statement of remove) await clients[0].query(statement);
    const pids = await Promise.all(clients.map(async (client) => (await client.query('select pg_backend_pid() as pid')).rows[0].pid));
    const cpuBefore = pids.map(cpuMicrosOf);
    const started = performance.now();
    await load(clients);
    const seconds = (performance.now() - started) / 1000;
    const cpu = pids.reduce((sum, pid, index) => sum + cpuMicrosOf(pid) - cpuBefore[index], 0);
    const { rows } = await clients[0].query('select count(*)::int as n from payload_statuses');
    if (rows[0].n !== events.length) throw new Error(`stored ${rows[0].n} of ${events.length} statuses`);
    return { perSecond: events.length / seconds, cpuMicros: cpu / events.length };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    await target.drop();
  }
}

/** Each part's figures, the median of `rounds` (rounds go through all the parts in turn, so drift spreads evenly). */
export async function benchIngestParts(options: { events: number; rounds: number }): Promise<IngestPartFigure[]> {
  const events = generateEvents(options.events).sort(byDate);
  const batches = storeArguments(events);
  const text = copyText(events, CONNECTIONS);
  const store = (clients: pg.Client[]) => {
    let next = 0;
    return Promise.all(
      clients.map(async (client) => {
        for (let batch = next++; batch < batches.length; batch = next++) {
          await client.query('select store_status_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, null)', batches[batch]);
        }
      }),
    );
  };
  const runs = INGEST_PARTS.map(() => ({ store: [] as Rate[], copy: [] as Rate[] }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [index, part] of INGEST_PARTS.entries()) {
      runs[index].store.push(await measure(events, part.remove, store));
      runs[index].copy.push(await measure(events, part.remove, (clients) => copyRows(clients, text)));
    }
  }
  const middle = (list: Rate[]): Rate => ({
    perSecond: median(list.map((run) => run.perSecond)),
    cpuMicros: median(list.map((run) => run.cpuMicros)),
  });
  return INGEST_PARTS.map((part, index) => ({ label: part.label, store: middle(runs[index].store), copy: middle(runs[index].copy) }));
}
