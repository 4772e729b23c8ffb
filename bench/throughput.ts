import { median, runLoad, type LoadResult } from './http-load.ts';
import { gatheringClusterOf, GATHERING_REQUESTS, requestIdOf } from './scale-data.ts';
import { cpuMicrosOf, startServerProcess, type ServerProcess } from './server-process.ts';

const CONNECTIONS = 32;

export interface RouteThroughput {
  route: string;
  trackerPerSecond: number;
  barePerSecond: number;
  /** The server process's CPU a request (µs): Tracker's API process, and the bare route's. */
  trackerCpuMicros: number;
  bareCpuMicros: number;
}

export interface ThroughputFigures {
  routes: RouteThroughput[];
  serverPeakMb: number;
}

/** A route under load: the request the `i`th call sends, for a data set of `payloads` payloads. */
interface LoadedRoute {
  route: string;
  request(i: number, payloads: number): { path: string; headers?: Record<string, string> };
}

/** The header a cluster of `orgId` sends through the platform's gateway. */
const identityOf = (orgId: string) => Buffer.from(JSON.stringify({ identity: { type: 'System', org_id: orgId } })).toString('base64');

/** Spread over the data so that the database reads what a real mix of callers would, not one cached row. */
const spread = (i: number, count: number) => 1 + ((i * 7919) % count);

const ROUTES: LoadedRoute[] = [
  {
    route: 'GET /v1/payloads/{request_id}',
    request: (i, payloads) => ({ path: `/v1/payloads/${requestIdOf(spread(i, payloads))}` }),
  },
  {
    route: 'GET /cluster/{id}/request/{request_id}/status',
    request: (i) => {
      const n = spread(i, GATHERING_REQUESTS);
      const { clusterId, orgId } = gatheringClusterOf(n);
      return { path: `/cluster/${clusterId}/request/${requestIdOf(n)}/status`, headers: { 'x-rh-identity': identityOf(orgId) } };
    },
  },
];

const forSeconds = (seconds: number) => (_sent: number, elapsedMs: number) => elapsedMs >= seconds * 1000;

/** A load run's rate, and the CPU the server spent on each request it answered. */
interface MeasuredRun extends LoadResult {
  cpuMicros: number;
}

async function measuredLoad(
  server: ServerProcess,
  next: (i: number) => { path: string; headers?: Record<string, string> },
  seconds: number,
): Promise<MeasuredRun> {
  const cpuBefore = cpuMicrosOf(server.child.pid!);
  const run = await runLoad({ url: server.url, connections: CONNECTIONS, next, stop: forSeconds(seconds) });
  return { ...run, cpuMicros: (cpuMicrosOf(server.child.pid!) - cpuBefore) / run.requests };
}

/**
 * Requests per second of the payload detail and of the gathering status every
 * cluster polls, from 32 connections, and the server's CPU a request, each
 * beside a bare Fastify route answering the same body from memory, rounds
 * alternating so that both see the same machine.
 */
export async function benchThroughput(
  tracker: ServerProcess,
  payloads: number,
  options: { seconds: number; rounds: number },
): Promise<ThroughputFigures> {
  const routes: RouteThroughput[] = [];
  for (const { route, request } of ROUTES) {
    const sample = request(0, payloads);
    const body = await (await fetch(`${tracker.url}${sample.path}`, { headers: sample.headers })).text();
    const bare = await startServerProcess(['bench/bare-server.ts'], { BARE_BODY: body });
    const trackerRuns: MeasuredRun[] = [];
    const bareRuns: MeasuredRun[] = [];
    try {
      for (let round = 0; round < options.rounds; round++) {
        const offset = round * 1_000_003;
        trackerRuns.push(await measuredLoad(tracker, (i) => request(offset + i, payloads), options.seconds));
        bareRuns.push(await measuredLoad(bare, (i) => ({ path: `/bare/${i}` }), options.seconds));
      }
    } finally {
      await bare.stop();
    }
    routes.push({
      route,
      trackerPerSecond: median(trackerRuns.map((run) => run.perSecond)),
      barePerSecond: median(bareRuns.map((run) => run.perSecond)),
      trackerCpuMicros: median(trackerRuns.map((run) => run.cpuMicros)),
      bareCpuMicros: median(bareRuns.map((run) => run.cpuMicros)),
    });
  }
  return { routes, serverPeakMb: tracker.peakMb() };
}
