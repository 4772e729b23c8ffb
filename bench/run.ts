/**
 * `npm run bench`: the performance figures of Tracker, each the median of
 * ROUNDS runs, printed as one table with the targets beside them. On PostgreSQL
 * (BENCH_DATABASE_URL, default the local server) by default; `--database pglite`
 * runs the ingest and lookup figures on the embedded database instead.
 *
 *   node bench/run.ts [--database postgres|pglite] [--only ingest,jetstream,lookups,throughput,sustained,report,console,growth,ingest-parts]
 *                     [--events 1000000] [--single 20000] [--payloads 1000000] [--requests 200]
 *                     [--rounds 3] [--explain] [--growth 1000000,4000000,10000000]
 *
 * `--explain` prints EXPLAIN ANALYZE of every statement each lookup runs.
 * `growth` (not in the default run: about an hour and 45 GB) runs the lookups
 * at each `--growth` size on a fresh database and prints them side by side.
 * `ingest-parts` (not in the default run; PostgreSQL on this machine) prints
 * the ingest statement and COPY with each part of the schema taken away.
 */
import { parseArgs } from 'node:util';
import { createToken } from '../src/auth/tokens.ts';
import { browserMissing } from './chromium.ts';
import { benchConsolePaint } from './console-paint.ts';
import { benchIngest } from './ingest.ts';
import { benchIngestParts } from './ingest-parts.ts';
import { benchJetStream, natsMissing } from './jetstream.ts';
import { benchLookups } from './lookups.ts';
import { explainLookups } from './explain.ts';
import { benchGrowth, growthTable, type GrowthStep } from './growth.ts';
import { benchReport } from './report.ts';
import { generateScaleData } from './scale-data.ts';
import { startTracker } from './server-process.ts';
import { benchSustained } from './sustained.ts';
import { createTarget, withOpen, type TargetKind } from './targets.ts';
import { benchThroughput } from './throughput.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'postgres' },
    only: { type: 'string', default: 'ingest,jetstream,lookups,throughput,sustained,report,console' },
    events: { type: 'string', default: '1000000' },
    single: { type: 'string', default: '20000' },
    payloads: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '200' },
    explain: { type: 'boolean', default: false },
    growth: { type: 'string', default: '1000000,4000000,10000000' },
  },
});
const kind = values.database as TargetKind;
if (kind !== 'postgres' && kind !== 'pglite') throw new Error('--database is postgres or pglite');
const sections = new Set(values.only.split(','));
const rounds = Number(values.rounds);
const started = performance.now();

const table: [string, string, string][] = [];
const add = (figure: string, value: string, target = '') => {
  table.push([figure, value, target]);
  console.error(`  ${figure}: ${value}`);
};
const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

let batchedPerSecond: number | undefined;
if (sections.has('ingest')) {
  console.error(`ingest: ${values.events} events, ${rounds} rounds…`);
  const ingest = await benchIngest(kind, { events: Number(values.events), single: Number(values.single), rounds });
  add('Ingest, batches of 1,000 from 4 clients (events/s)', fixed(ingest.batchedPerSecond), '≥ 100,000');
  if (ingest.copyPerSecond !== undefined) {
    add('Ingest ceiling: the same rows by COPY (events/s)', fixed(ingest.copyPerSecond));
    add('Ingest / COPY', `${fixed((100 * ingest.batchedPerSecond) / ingest.copyPerSecond)} %`, '≥ 50 %');
  }
  for (const [connections, perSecond] of ingest.singlePerSecond) {
    // Before group commit: 1,372/s from 8 connections on PostgreSQL.
    add(`Ingest, one event per request from ${connections} connections (events/s)`, fixed(perSecond), connections === 32 ? '≥ 10,000' : '');
  }
  add('Server peak RSS during ingest (MB)', fixed(ingest.serverPeakMb));
  batchedPerSecond = ingest.batchedPerSecond;
}

if (sections.has('jetstream')) {
  const missing = await natsMissing();
  if (missing) console.error(`jetstream: skipped, ${missing}`);
  else {
    console.error(`jetstream: ${values.events} events through NATS JetStream…`);
    const bus = await benchJetStream(kind, Number(values.events));
    add('JetStream ingest: a worker storing a backlog, start to last commit (events/s)', fixed(bus.consumedPerSecond));
    if (batchedPerSecond !== undefined) {
      add('JetStream ingest / batched HTTP ingest', `${fixed((100 * bus.consumedPerSecond) / batchedPerSecond)} %`, '≥ 80 %');
    }
    add('JetStream: the bench publishing one message per event (events/s)', fixed(bus.publishedPerSecond));
    const every = Math.max(1, Math.ceil(bus.lag.length / 12));
    const samples = bus.lag.filter((_, index) => index % every === 0 || index === bus.lag.length - 1);
    add(`JetStream: consumer lag (messages), every ${every} s`, samples.map((lag) => fixed(lag)).join(' → '));
  }
}

if (sections.has('ingest-parts')) {
  if (kind !== 'postgres') throw new Error('ingest-parts compares with COPY, which is PostgreSQL only');
  console.error(`ingest parts: ${values.events} events, each part ${rounds} rounds…`);
  for (const part of await benchIngestParts({ events: Number(values.events), rounds })) {
    add(
      `store_status_events / COPY, ${part.label}: events/s, PostgreSQL µs CPU per event`,
      `${fixed(part.store.perSecond)} / ${fixed(part.copy.perSecond)}, ${fixed(part.store.cpuMicros, 1)} / ${fixed(part.copy.cpuMicros, 1)}`,
    );
  }
}

const explain = values.explain || sections.has('explain');
if (explain || ['lookups', 'throughput', 'sustained', 'report', 'console'].some((section) => sections.has(section))) {
  await scaleSections(Number(values.payloads));
}

/** The sections over the generated scale data, one database and one server for all. */
async function scaleSections(payloads: number) {
  const now = new Date();
  const target = await createTarget(kind);
  try {
    console.error(`scale data: ${payloads} payloads…`);
    const generated = await withOpen(target, (database) => generateScaleData(database, payloads, now));
    add('Scale data generated (payloads / statuses)', `${fixed(generated.payloads)} / ${fixed(generated.statuses)}`);
    const token = await withOpen(target, (database) =>
      createToken(database.db, { orgId: 'bench', userName: 'bench', scopes: ['statuses:write'], allOrgs: true }),
    );
    const tracker = await startTracker(target.serverEnv);
    try {
      if (sections.has('lookups')) {
        console.error('lookups…');
        for (const lookup of await benchLookups(tracker.url, payloads, now, { requests: Number(values.requests), rounds })) {
          add(`${lookup.label}: p50 / p99 (ms)`, `${fixed(lookup.p50, 1)} / ${fixed(lookup.p99, 1)}`, `p99 < ${lookup.targetMs}`);
        }
      }
      if (sections.has('throughput')) {
        console.error('throughput…');
        const throughput = await benchThroughput(tracker, payloads, { seconds: 10, rounds });
        // On PGlite the server's process runs the database too: its CPU a request holds the queries', so no target.
        const [serverCpu, cpuTarget] = kind === 'pglite' ? ["Tracker's process (with PGlite)", ''] : ["Tracker's API process", '≤ 3×'];
        for (const { route, trackerPerSecond, barePerSecond, trackerCpuMicros, bareCpuMicros } of throughput.routes) {
          add(`${route} from 32 connections (requests/s)`, fixed(trackerPerSecond));
          add('Bare Fastify route, same body, same load (requests/s)', fixed(barePerSecond));
          add(`${route} / bare route`, `${fixed((100 * trackerPerSecond) / barePerSecond)} %`, '≥ 40 %');
          add(
            `${route}: CPU a request, ${serverCpu} / bare route's (µs)`,
            `${fixed(trackerCpuMicros, 1)} / ${fixed(bareCpuMicros, 1)} (${fixed(trackerCpuMicros / bareCpuMicros, 1)}×)`,
            cpuTarget,
          );
        }
        add('Server peak RSS during lookups and throughput (MB)', fixed(throughput.serverPeakMb));
      }
      if (sections.has('console')) {
        const missing = browserMissing();
        if (missing) console.error(`console: skipped, ${missing}`);
        else {
          console.error('console…');
          const paint = await benchConsolePaint(tracker.url, Math.max(rounds, 5));
          add('Console: Payloads page, navigation to rows and exact total painted, new visitor (ms)', fixed(paint.medianMs), '< 1,000');
          add('Console: first contentful paint (ms)', fixed(paint.firstContentfulPaintMs));
          add('Console: the same from outside, with the browser starting the tab (ms)', fixed(paint.wallMedianMs));
        }
      }
      if (sections.has('sustained')) {
        console.error('sustained load, 2 minutes…');
        const sustained = await benchSustained(tracker, token, payloads, now);
        add(
          `Server RSS under ${sustained.seconds} s of mixed load: first minute / last minute (MB)`,
          `${fixed(sustained.firstMinuteMb)} / ${fixed(sustained.lastMinuteMb)}`,
          'no growth',
        );
      }
    } finally {
      await tracker.stop();
    }
    if (sections.has('report') && kind === 'postgres') {
      console.error('report…');
      const from = new Date(now.getTime() - 6 * 86_400_000);
      // One org's statuses over 116 hours: about a million rows of the scale data.
      const to = new Date(from.getTime() + 116 * 3_600_000);
      const report = await benchReport(target, { from: from.toISOString(), to: to.toISOString() }, rounds);
      add(`Report: statuses to csv, ${fixed(report.rows)} rows, ${fixed(report.megabytes)} MiB (s)`, fixed(report.seconds, 1), '< 20');
      add('Report worker peak RSS (MB)', fixed(report.workerPeakMb), '< 200');
    }
    if (explain && kind === 'postgres') {
      console.log(await explainLookups(target, payloads, now));
    }
  } finally {
    await target.drop();
  }
}

let growth: GrowthStep[] = [];
if (sections.has('growth')) {
  const sizes = values.growth.split(',').map(Number);
  console.error(`growth: the lookups at ${sizes.join(', ')} payloads…`);
  growth = await benchGrowth(kind, sizes, {
    requests: Number(values.requests),
    rounds,
    onStep: (step) => console.error(`${growthTable([step])}\n`),
  });
}

console.log(`\nTracker benchmarks on ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, median of ${rounds} rounds\n`);
console.log('| figure | measured | target |');
console.log('| --- | --- | --- |');
for (const [figure, value, target] of table) console.log(`| ${figure} | ${value} | ${target} |`);
if (growth.length > 0) console.log(`\nThe lookups as the data grows, each size on a fresh database\n\n${growthTable(growth)}`);
console.log(`\n(${((performance.now() - started) / 60_000).toFixed(1)} minutes)`);
