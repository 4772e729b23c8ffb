import { median, runLoad, type LoadResult } from './http-load.ts';
import { requestIdOf } from './scale-data.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

const CONNECTIONS = 32;

export interface ThroughputFigures {
  trackerPerSecond: number;
  barePerSecond: number;
  serverPeakMb: number;
}

const forSeconds = (seconds: number) => (_sent: number, elapsedMs: number) => elapsedMs >= seconds * 1000;

/**
 * Requests per second of `GET /v1/payloads/{request_id}` from 32 connections,
 * beside a bare Fastify route answering the same body from memory, rounds
 * alternating so that both see the same machine.
 */
export async function benchThroughput(
  tracker: ServerProcess,
  payloads: number,
  options: { seconds: number; rounds: number },
): Promise<ThroughputFigures> {
  const sample = await (await fetch(`${tracker.url}/v1/payloads/${requestIdOf(1)}`)).text();
  const bare = await startServerProcess(['bench/bare-server.ts'], { BARE_BODY: sample });
  const trackerRuns: LoadResult[] = [];
  const bareRuns: LoadResult[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      trackerRuns.push(
        await runLoad({
          url: tracker.url,
          connections: CONNECTIONS,
          next: (i) => ({ path: `/v1/payloads/${requestIdOf(1 + ((round * 1_000_003 + i * 7919) % payloads))}` }),
          stop: forSeconds(options.seconds),
        }),
      );
      bareRuns.push(
        await runLoad({
          url: bare.url,
          connections: CONNECTIONS,
          next: (i) => ({ path: `/bare/${i}` }),
          stop: forSeconds(options.seconds),
        }),
      );
    }
  } finally {
    await bare.stop();
  }
  return {
    trackerPerSecond: median(trackerRuns.map((run) => run.perSecond)),
    barePerSecond: median(bareRuns.map((run) => run.perSecond)),
    serverPeakMb: tracker.peakMb(),
  };
}
