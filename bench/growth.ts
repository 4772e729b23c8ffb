import { benchLookups, type LookupFigure } from './lookups.ts';
import { generateScaleData } from './scale-data.ts';
import { startTracker } from './server-process.ts';
import { createTarget, withOpen, type TargetKind } from './targets.ts';

export interface GrowthStep {
  payloads: number;
  statuses: number;
  generatedMinutes: number;
  lookups: LookupFigure[];
}

/**
 * The lookups at each of `sizes` payloads, each on its own fresh database, so
 * that their growth with the data shows side by side. `onStep` hears of each
 * size as it is done: the largest takes most of an hour.
 */
export async function benchGrowth(
  kind: TargetKind,
  sizes: number[],
  options: { requests: number; rounds: number; onStep: (step: GrowthStep) => void },
): Promise<GrowthStep[]> {
  const steps: GrowthStep[] = [];
  for (const payloads of sizes) {
    const now = new Date();
    const target = await createTarget(kind);
    try {
      const started = performance.now();
      const generated = await withOpen(target, (database) => generateScaleData(database, payloads, now));
      const generatedMinutes = (performance.now() - started) / 60_000;
      const tracker = await startTracker(target.serverEnv);
      try {
        const lookups = await benchLookups(tracker.url, payloads, now, options);
        const step = { payloads, statuses: generated.statuses, generatedMinutes, lookups };
        options.onStep(step);
        steps.push(step);
      } finally {
        await tracker.stop();
      }
    } finally {
      await target.drop();
    }
  }
  return steps;
}

/** The steps as one Markdown table: a row a lookup, its p50 / p99 at each size beside its target. */
export function growthTable(steps: GrowthStep[]): string {
  const millions = (n: number) =>
    n >= 1_000_000 ? `${(n / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} M` : n.toLocaleString('en-US');
  const ms = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const header = `| lookup, p50 / p99 (ms) | ${steps.map((step) => `${millions(step.payloads)} payloads`).join(' | ')} | target |`;
  const lines = [header, `| --- | ${steps.map(() => '---').join(' | ')} | --- |`];
  lines.push(`| statuses | ${steps.map((step) => millions(step.statuses)).join(' | ')} | |`);
  lines.push(`| data generated in (minutes) | ${steps.map((step) => ms(step.generatedMinutes)).join(' | ')} | |`);
  for (const [index, lookup] of (steps[0]?.lookups ?? []).entries()) {
    const cells = steps.map((step) => `${ms(step.lookups[index].p50)} / ${ms(step.lookups[index].p99)}`);
    lines.push(`| ${lookup.label} | ${cells.join(' | ')} | p99 < ${lookup.targetMs} |`);
  }
  return lines.join('\n');
}
