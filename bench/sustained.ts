import { generateEvents } from './events.ts';
import { runLoad } from './http-load.ts';
import { lookupPaths } from './lookups.ts';
import type { ServerProcess } from './server-process.ts';

export interface SustainedFigures {
  seconds: number;
  requests: number;
  firstMinuteMb: number;
  lastMinuteMb: number;
}

const SAMPLES_A_MINUTE = 240; // the server process is sampled every 250 ms

/**
 * Two minutes of mixed load: 16 connections cycling through the lookups and 2
 * sending one event per request. The server's memory in the first minute beside
 * the last (the highest sample of each): flat means no growth between them.
 */
export async function benchSustained(
  tracker: ServerProcess,
  token: string,
  payloads: number,
  now: Date,
  seconds = 120,
): Promise<SustainedFigures> {
  const lookups = lookupPaths(payloads, now);
  const events = generateEvents(200_000, now.getTime()).map((event) => JSON.stringify(event));
  const stop = (_sent: number, elapsedMs: number) => elapsedMs >= seconds * 1000;
  tracker.resetSamples();
  const [reads, writes] = await Promise.all([
    runLoad({ url: tracker.url, connections: 16, next: (i) => ({ path: lookups[i % lookups.length].path(i) }), stop }),
    runLoad({
      url: tracker.url,
      connections: 2,
      next: (i) => ({
        path: '/v1/statuses',
        method: 'POST',
        body: events[i % events.length],
        headers: { authorization: `Bearer ${token}` },
      }),
      stop,
    }),
  ]);
  const samples = [...tracker.samples];
  return {
    seconds,
    requests: reads.requests + writes.requests,
    firstMinuteMb: Math.max(...samples.slice(0, SAMPLES_A_MINUTE)),
    lastMinuteMb: Math.max(...samples.slice(-SAMPLES_A_MINUTE)),
  };
}
