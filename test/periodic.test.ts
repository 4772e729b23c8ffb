import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { runPeriodically } from '../src/shared/periodic.ts';
import { waitFor } from './wait.ts';

test('a tick that finds the last pass still running is skipped, not queued', async () => {
  const skipped: string[] = [];
  const log = Object.assign(pino({ level: 'silent' }), { debug: (message: string) => skipped.push(message) });
  let passes = 0;
  let release = () => {};
  const stop = runPeriodically(
    'a slow pass',
    5,
    () => {
      passes++;
      return new Promise<void>((resolve) => (release = resolve));
    },
    log,
  );
  await waitFor(() => skipped.length >= 5, { what: 'five skipped ticks' });
  assert.equal(passes, 1, 'no second pass starts while the first runs');
  release();
  await waitFor(() => passes === 2, { what: 'the next pass after the first ended' });
  release();
  await stop();
  assert.ok(passes <= 3, `only the passes ticks found room for ran (${passes}), not one per tick (${skipped.length + 1})`);
  assert.match(skipped[0], /a slow pass still running; this tick is skipped/);
});
