/**
 * `npm run bench`: the performance figures of Tracker, each the median of
 * ROUNDS runs, printed as one table with the targets beside them. On PostgreSQL
 * (BENCH_DATABASE_URL, default the local server) by default; `--database pglite`
 * runs the ingest and lookup figures on the embedded database instead.
 *
 *   node bench/run.ts [--database postgres|pglite] [--only ingest,lookups,throughput,report,sustained]
 *                     [--events 1000000] [--payloads 1000000] [--rounds 3] [--explain]
 */
import { parseArgs } from 'node:util';
import { benchIngest } from './ingest.ts';
import type { TargetKind } from './targets.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'postgres' },
    only: { type: 'string', default: 'ingest,lookups,throughput,report,sustained' },
    events: { type: 'string', default: '1000000' },
    single: { type: 'string', default: '20000' },
    payloads: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
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

if (sections.has('ingest')) {
  console.error(`ingest: ${values.events} events, ${rounds} rounds…`);
  const ingest = await benchIngest(kind, { events: Number(values.events), single: Number(values.single), rounds });
  add('Ingest, batches of 1,000 from 4 clients (events/s)', fixed(ingest.batchedPerSecond), '≥ 100,000');
  if (ingest.copyPerSecond !== undefined) {
    add('Ingest ceiling: the same rows by COPY (events/s)', fixed(ingest.copyPerSecond));
    add('Ingest / COPY', `${fixed((100 * ingest.batchedPerSecond) / ingest.copyPerSecond)} %`, '≥ 50 %');
  }
  add('Ingest, one event per request from 8 clients (events/s)', fixed(ingest.singlePerSecond));
  add('Server peak RSS during ingest (MB)', fixed(ingest.serverPeakMb));
}

console.log(`\nTracker benchmarks on ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}, median of ${rounds} rounds\n`);
console.log('| figure | measured | target |');
console.log('| --- | --- | --- |');
for (const [figure, value, target] of table) console.log(`| ${figure} | ${value} | ${target} |`);
console.log(`\n(${((performance.now() - started) / 60_000).toFixed(1)} minutes)`);
